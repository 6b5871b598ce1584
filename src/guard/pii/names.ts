import type { FoldedMatch } from './numbers.js';

/** Common Chinese surnames (Simplified and Traditional forms), compound ones first. */
const COMPOUND_SURNAMES = [
  '欧阳',
  '歐陽',
  '司马',
  '司馬',
  '上官',
  '诸葛',
  '諸葛',
  '东方',
  '東方',
  '皇甫',
  '尉迟',
  '尉遲',
  '公孙',
  '公孫',
  '令狐',
  '慕容',
  '司徒',
  '夏侯',
  '长孙',
  '長孫',
  '宇文',
  '轩辕',
  '軒轅',
  '端木',
  '独孤',
  '獨孤',
  '南宫',
  '南宮',
  '西门',
  '西門',
];
const SINGLE_SURNAMES =
  '王李张張刘劉陈陳杨楊黄黃赵趙吴吳周徐孙孫马馬朱胡郭何高林罗羅郑鄭梁谢謝宋唐许許韩韓冯馮邓鄧曹彭曾肖萧蕭田董袁潘于蒋蔣蔡余杜叶葉程苏蘇魏吕呂丁任沈姚卢盧姜崔钟鍾谭譚陆陸汪范金石廖贾賈夏韦韋付傅方白邹鄒孟熊秦邱江尹薛闫閆段雷侯龙龍史陶黎贺賀顾顧毛郝龚龔邵万萬钱錢严嚴覃武戴莫孔向汤湯常温溫康施文牛樊葛邢安齐齊易乔喬伍庞龐颜顏倪庄莊聂聶章鲁魯岳翟殷詹申欧歐耿关關兰蘭焦俞左柳甘祝包宁寧尚符舒阮柯纪紀梅童凌毕畢单單季裴霍涂成苗谷盛曲翁冉骆駱蓝藍路游辛靳管柴蒙鲍鮑华華喻祁蒲房滕屈饶饒解牟艾尤阳陽时時穆农農司卓古吉缪繆简簡车車项項连連芦蘆麦麥褚娄婁窦竇戚岑景党黨宫宮费費卜冷晏席卫衛米柏宗瞿桂全佟应應臧闵閔苟邬鄔边邊卞姬师師和仇栾欒隋商刁沙荣榮巫寇桑郎甄丛叢仲虞敖巩鞏明佘池查麻苑迟遲邝鄺官封谈談匡鞠惠荆荊乐樂冀郁胥南班储儲原栗燕楚鄢劳勞谌諶奚皮粟冼粘洪賴赖辜';

const SURNAME = `(?:${COMPOUND_SURNAMES.join('|')}|[${SINGLE_SURNAMES}])`;
// Characters that cannot be part of a given name here: function words, verbs and the words that
// usually follow a name in a message (电话, 手机, 想, 要…), punctuation and digits.
const NOT_GIVEN =
  '的是在了想要和跟与與电電手号號地住今我你他她请請帮幫来來从從到给給把被让讓对對说說问問查找买買订訂寄收联聯需希已还還就都也很吗嗎呢吧啊呀哦，。,.!?！？;；:：、 师師总總经經理';
const GIVEN = `[^\\P{Script=Han}${NOT_GIVEN}]`;
const HONORIFIC = '(?:先生|女士|小姐|老师|老師|太太|阿姨|师傅|師傅|经理|經理|总|總)';
const CHINESE_NAME = `${SURNAME}(?:${HONORIFIC}|${GIVEN}{1,2})`;

const CHINESE_TRIGGER =
  '(?:我叫|我的名字是|我的名字叫|名字是|名字叫|名字：|名字:|本人|姓名|收件人|收货人|收貨人|寄件人|联系人|聯絡人|聯繫人|联络人|户名|戶名|持卡人|开户人|開戶人|开户名|開戶名|签收人|簽收人|取件人|乘机人|乘機人|乘客|入住人|申请人|申請人|投保人|被保险人|被保險人|患者|预约人|預約人|订票人|訂票人|买家|收款人|账户名|帳戶名|报案人|報案人|我是|我係|我系|叫我|实名信息|實名信息|实名|實名|真实姓名|真實姓名|姓名拼音|英文名|英文姓名)';
const ENGLISH_NAME_AFTER_CHINESE_TRIGGER_PART = '[A-Z][a-z]+(?:\\s+[A-Z][a-z]+){1,2}|[A-Z]{2,}(?:\\s+[A-Z]{2,}){1,2}';
const CHINESE_NAME_AFTER_TRIGGER = new RegExp(
  `${CHINESE_TRIGGER}(?:改成|改为|改為|换成|換成|写成|寫成|是|为|為|叫|姓名|写|寫|填|写的是|寫的是)?[：: ]{0,2}(${CHINESE_NAME}|${ENGLISH_NAME_AFTER_CHINESE_TRIGGER_PART})`,
  'gu',
);
/** 王先生 / 李经理 / 陈女士: a surname with an honorific names a person wherever it stands. */
const HONORIFIC_NAME = new RegExp(`${SURNAME}(?:先生|女士|小姐|太太|经理|經理)`, 'gu');

const ENGLISH_NAME =
  "[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?(?:\\s+[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?){0,2}|[A-Z]{2,}(?:\\s+[A-Z][a-z]+){1,2}";
const ENGLISH_TRIGGER =
  "(?:[Mm]y name is|[Mm]y name's|[Nn]ame\\s*:|[Nn]ame is|[Rr]ecipient(?:\\s+name)?\\s*(?:is|:)?|[Cc]ontact(?:\\s+person|\\s+name)?\\s*(?:is|:)?|[Aa]ddressed to|[Cc]ardholder(?:\\s+name)?\\s*(?:is|:)?|[Aa]ccount holder\\s*(?:is|:)?|[Tt]his is|[Ii] am|I'm|[Cc]all me|[Ss]igned,?|[Pp]assenger(?:\\s+name)?\\s*(?:is|:)?|[Gg]uest(?:\\s+name)?\\s*(?:is|:)?|[Ss]hip to)";
const ENGLISH_NAME_AFTER_TRIGGER = new RegExp(
  `(?<![A-Za-z])${ENGLISH_TRIGGER}\\s*(?:(?:Mr|Mrs|Ms|Miss|Dr)\\.?\\s+)?(${ENGLISH_NAME})`,
  'g',
);

/** Capitalised words that follow "I am" / "this is" but are not names. */
const NOT_A_NAME = new Set(
  'I Im A An The Not So Very Really Just Still Also Here There Back Sorry Happy Angry Upset Calling Writing Trying Looking Waiting Going Having Unable Interested Confused Frustrated Disappointed Fine Ok Okay Good Glad Afraid Sure Done Ready New From In On At With About Hello Hi Dear Thanks Thank Please Order Customer Member Your Kefu Support Team Service Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September October November December China Chinese English Beijing Shanghai Hong Kong Taiwan Mr Mrs Ms Miss Dr Still Again Writing Following Asking Requesting Contacting'.split(
    ' ',
  ),
);

/** 我是 takes a name only when no role word follows it (我是会员 / 我是新用户 / 我是老客户). */
const NOT_AFTER_WO_SHI =
  /^(?:会员|會員|新|老|客户|客戶|用户|用戶|学生|學生|你们|你們|本人|商家|卖家|賣家|买家|買家|第|一个|一個|在|说|說|想|要|来|來|从|從|不|没|沒|真|很|非常|他|她|它|其|那|这|這|谁|誰|哪|什么|甚麼|怎么|怎麼|否|否|否)/;

/** Two-character words that start with a surname character but are not names (谢谢, 金额, 高兴…). */
const NOT_NAMES = new Set(
  '谢谢 謝謝 金额 金額 高兴 高興 方便 马上 馬上 何时 何時 包裹 常用 安装 安裝 程序 周末 明天 明日 白天 文件 路上 江湖 成功 成本 全部 全额 全額 时间 時間 原因 原来 原來 关于 關於 关注 關注 华为 華為 宁愿 寧願 夏天 秦始 万一 萬一 史上 孔子 乐意 樂意 应该 應該 应当 何必 于是 於是 和你 和我 向你 向我 余额 餘額 高速 高铁 高鐵 邮箱 石头 江苏 江蘇 安全 安排 黄金 黃金 毛病 常常 雷达 時候 时候 张贴 司机 司機 柯南 车费 車費 项目 項目 连续 連續 连接 連接 费用 費用 沙发 沙發 管理 管道 成都 成为 成為 单号 單號 单元 單元 明白 明确 明確 曾经 曾經 苏州 蘇州 米饭 米飯 水电 林肯 贵州 貴州 云南 雲南 梁山 钱包 錢包 伍佰 毕业 畢業 任何 任务 任務 田园 童装 童裝 卓越 邵阳 岳阳 易拉 尚未 谷歌 温度 溫度 康复 康復 齐全 齊全 宫格 冯氏 顾客 顧客 顾问 顧問 蒋公 邓氏 戴上 穆斯 章节 章節 鲁班 应用 應用 师傅 師傅 文字 文本 施工 景点 景點 包邮 包郵 包装 包裝'.split(
    ' ',
  ),
);

const NAME_BEFORE_PHONE = new RegExp(
  `(?<![\\p{Script=Han}])(${CHINESE_NAME})[\\s,，:：/]{0,3}(?:电话|電話|手机|手機|tel)?[：: ]{0,2}$`,
  'u',
);
const NAME_AFTER_PHONE = new RegExp(`^(${CHINESE_NAME})(?![\\p{Script=Han}])`, 'u');

const LOWER_CASE_NAME =
  /(?<![a-z])(?:my name is|my name's|name:|recipient:|cardholder:)\s*([a-z]{2,}(?:\s+[a-z]{2,})?)/g;
const LOWER_CASE_STOP = new Set(
  'a an the not so very really just still also here there and or but please thanks thank from with to is was am calling writing asking my your our i me on in at for of about this that it order phone email number mobile'.split(
    ' ',
  ),
);

/** Names after a trigger (我叫 / 收件人 / my name is …), and a bare name beside a phone number. */
export function findNames(text: string, phones: FoldedMatch[]): FoldedMatch[] {
  const matches: FoldedMatch[] = [];
  for (const match of text.matchAll(CHINESE_NAME_AFTER_TRIGGER)) {
    const name = match[1];
    const start = match.index + match[0].length - name.length;
    if (match[0].startsWith('我是') && NOT_AFTER_WO_SHI.test(text.slice(match.index + 2))) continue;
    if (match[0].startsWith('本人') && !/^本人(?:是|叫|姓名)?[：: ]{0,2}/.test(match[0])) continue;
    matches.push({ start, end: start + name.length, type: 'name', score: match[0].startsWith('我是') ? 0.6 : 0.85 });
  }
  for (const match of text.matchAll(HONORIFIC_NAME)) {
    matches.push({ start: match.index, end: match.index + match[0].length, type: 'name', score: 0.5 });
  }
  for (const match of text.matchAll(ENGLISH_NAME_AFTER_TRIGGER)) {
    let name = match[1];
    const words = name.split(/\s+/);
    while (words.length > 0 && NOT_A_NAME.has(words[words.length - 1])) words.pop();
    if (words.length === 0 || NOT_A_NAME.has(words[0])) continue;
    const trigger = match[0].slice(0, match[0].length - name.length);
    // "I am" / "this is" take a name only with two words or a clear first name after them.
    const following = text.slice(match.index + match[0].length);
    if (
      /^(?:[Tt]his is|[Ii] am|I'm|[Ss]igned|[Cc]all me)/.test(trigger) &&
      words.length < 2 &&
      !/^\s*(?:[,.!;]|$|from\b|here\b)/.test(following)
    )
      continue;
    name = words.join(' ');
    const start = match.index + trigger.length;
    matches.push({ start, end: start + name.length, type: 'name', score: 0.8 });
  }
  // Lower-cased text (a trace stores the normalised message): only the unmistakable triggers.
  for (const match of text.matchAll(LOWER_CASE_NAME)) {
    const words = match[1].split(/\s+/);
    if (words.length > 1 && LOWER_CASE_STOP.has(words[1])) words.pop();
    if (LOWER_CASE_STOP.has(words[0])) continue;
    const name = words.join(' ');
    const start = match.index + match[0].length - match[1].length;
    matches.push({ start, end: start + name.length, type: 'name', score: 0.6 });
  }
  // A shipping block: 张伟 13800138000 / 13800138000，张伟 / 李女士 138…: a standalone name next to a phone.
  for (const phone of phones) {
    const beforeText = text.slice(Math.max(0, phone.start - 8), phone.start);
    const before = NAME_BEFORE_PHONE.exec(beforeText);
    if (before && !NOT_NAMES.has(before[1])) {
      const start = phone.start - beforeText.length + before.index;
      matches.push({ start, end: start + before[1].length, type: 'name', score: 0.6 });
    }
    const afterText = text.slice(phone.end, phone.end + 8);
    const after = /^[\s,，/]{1,3}/.exec(afterText);
    if (after) {
      const rest = afterText.slice(after[0].length);
      const name = NAME_AFTER_PHONE.exec(rest);
      if (name && !NOT_NAMES.has(name[1]) && !/^[\p{Script=Han}]/u.test(rest.slice(name[1].length))) {
        const start = phone.end + after[0].length;
        matches.push({ start, end: start + name[1].length, type: 'name', score: 0.55 });
      }
    }
  }
  return matches;
}
