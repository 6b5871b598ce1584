/**
 * The hand-over layer: messages that must reach a person whatever they match (S11, S14).
 * Rules run on normalised text (src/text normalizeText: Simplified Chinese, half-width, lower
 * case), so Traditional input is covered by the Simplified patterns. Each rule belongs to a group
 * a tenant may disable (`handover.disable` in tenant.yaml) and carries a reason code for the trace.
 * The patterns were tuned on travel-zh dev and then on two hand-written risk sets
 * (bench/data/risk-heldout*.jsonl): a keyword alone that also appears in ordinary questions (退款,
 * 验证码, 保险, 信用卡积分, 台风) never triggers; it needs the threat, the amount, the third person
 * or the emergency around it. Each set, run before the rules saw it, caught only 16–51 % of its
 * rows (docs/fewshot.md): keyword rules do not generalise to unseen wordings, so expect misses.
 * They are now the high-precision half of the hand-over guard (src/guard/handover, docs/guard.md):
 * a classifier trained on a hand-written corpus catches what no rule names, and `ruleCategory`
 * maps each rule to one of the guard's twelve categories.
 */

import { isHandoverCategory, type HandoverCategory } from '../guard/handover/categories.js';
import type { Locale } from '../i18n/index.js';

/** Why a message must reach a person whatever it matches. */
export interface HandoverSignal {
  reason: string;
  rule: string;
}

/** Rule groups a tenant can switch off; a rule code is `<group>.<what>`. */
export const HANDOVER_GROUPS = [
  'human',
  'complaint',
  'fraud',
  'refund',
  'emergency',
  'privacy',
  'self_harm',
  'threat',
  'bereavement',
  'vulnerable',
  'escalation',
] as const;
export type HandoverGroup = (typeof HANDOVER_GROUPS)[number];

interface Rule {
  rule: string;
  group: HandoverGroup;
  reason: string;
  patterns: readonly RegExp[];
}

/** An amount of money: digits (2380, 1,500, 4200元) or a Chinese numeral with a unit (一万块, 三千元). */
const AMOUNT = String.raw`(?:[¥￥$]\s*\d|\d{2,}|\d+(?:\.\d+)?\s*(?:元|块|万|千|百|rmb|yuan)|[一二两三四五六七八九十百千万]+\s*(?:万|千|百)\s*(?:元|块)?|[一二两三四五六七八九十百千万]+\s*(?:元|块钱?))`;
/** Someone other than the customer. */
const OTHER_PERSON = String.raw`(?:别人|他人|其他人|朋友|同事|老公|老婆|丈夫|妻子|爱人|男朋友|女朋友|男友|女友|前女友|前男友|前妻|前夫|经理|领导|老板|家人|父母|爸爸|妈妈|这个人|那个人|陌生人)`;
/** What only the owner may see. */
const PERSONAL_DATA = String.raw`(?:订单|航班|酒店|行程|出行|身份证|手机号|电话号码|住址|地址|记录|信息|订了|订的|住哪|在哪)`;

// Patterns run on normalised text (Simplified, half-width, lower case).
const DEFAULT_RULES: readonly Rule[] = [
  {
    rule: 'human.request',
    group: 'human',
    reason: 'the customer asked for a person',
    patterns: [
      /转人工|(?<!(?:周末|节假日|晚上|夜里|几点)有?)人工客服(?![^,，。]{0,6}(?:几点|上班|下班|下线|时间|电话|周末|节假日|在哪))|人工服务(?!时间)|人工坐席|人工座席|(?:找|要|接|转接|换|叫)人工|人工人工|^\s*人工\s*[!?！？。]*$|真人客服|(?:找|要|转|转接|换|让|叫|接)(?:个|一个|位)?真人|人工[!！]|(?:不要|别|不想)(?:再)?(?:让|跟|和)?机器人|客服本人|活人|换个人来|换(?:个|一个)?(?:人工|真人|客服)|(?:有没有|有无)(?:真(?:的|正的)?)(?:工作人员|人|客服)|客服专员|(?:跟|和|同)(?:真)?人(?:讲话|说话|聊|谈)|能做主的人|管事的人|(?:找|叫)(?:你们的?)?(?:领导|经理|主管|负责人)/,
      /human agent|real (?:person|human)|live agent|(?:speak|talk|chat) (?:to|with) (?:a |an )?(?:human|person|agent|representative|someone)|\bhuman\b.*\bplease\b|\bagent please\b|customer service representative|not a (?:bot|robot|machine)|(?:isn'?t|not) automated|\boperator\b|\brepresentative\b|stop the bot|no more bots|i need a (?:human|person|real person)|(?:bot|robot) is useless|useless (?:bot|robot)/,
    ],
  },
  {
    rule: 'complaint.regulator',
    group: 'complaint',
    reason: 'a complaint to a regulator (12315, 民航局, 消协, 工信部 …)',
    patterns: [
      /12315|12326|12345热线|消协|消费者协会|消保委|消保会|消基会|消费者文教基金会|工信部|银保监|金融监管总局|黑猫投诉|黑猫上/,
      /(?:民航局|市场监管|市场监督|工商局|旅游局|文旅局|文化和旅游|监管部门|有关部门|相关部门|交通部|铁路局|315).{0,12}(?:投诉|举报|反映|告|提交|打电话|电话)|(?:投诉|举报|告|反映|反应)(?:到|去|给)?.{0,4}(?:民航局|市场监管|工商局|旅游局|文旅局|监管部门|有关部门|相关部门|交通部)/,
      /(?:complain|complaint|report (?:you|this)) (?:to|with) (?:the )?(?:caac|regulator|authorit|consumer|government)|consumer (?:protection|association|council)|better business bureau|ombudsman|trading standards|attorney general|report(?:ing)? (?:this|you|it) to (?:the )?(?:civil aviation|caac|faa|department|authorit|regulator|government)|civil aviation (?:administration|authority)/,
    ],
  },
  {
    rule: 'complaint.formal',
    group: 'complaint',
    reason: 'the customer files a complaint',
    patterns: [
      /我要(?:正式)?投诉|投诉你们|(?:把我们?|把人)(?:扔|丢)(?:下|在)/,
      /i (?:want|wish|need) to (?:file|make|lodge|raise) a (?:formal )?complaint/,
    ],
  },
  {
    rule: 'complaint.legal',
    group: 'complaint',
    reason: 'the customer threatens legal action',
    patterns: [
      /(?:找|请|叫|委托|联系)(?:了|好)?(?:个|我的)?律师|律师函|律师(?:会|将|已经)|(?:要|会|去|准备|将|我就)起诉|起诉(?:你们|贵公司|你|他们)|提起诉讼|(?:法院|法庭)(?:上)?见|(?:去|上)法院|法院(?:起诉|立案)|打官司|(?:申请|提起|去)仲裁|法律途径|法律手段|走法律|告(?:你们|死你们|到底)|上诉/,
      /\bsue\b|\bsuing\b|lawyer|attorney|legal action|\bcourt\b|lawsuit/,
    ],
  },
  {
    rule: 'complaint.media',
    group: 'complaint',
    reason: 'the customer threatens media exposure',
    patterns: [
      /曝光|(?:找|联系|告诉|给|让)(?:了)?媒体|媒体(?:曝光|报道|来)|记者|上热搜|央视|电视台|报社|(?:网上|论坛|微博|小红书|抖音)(?:上)?发帖|发帖曝|(?:发|挂|曝)(?:到|在)?(?:网上|微博|抖音|小红书|朋友圈)/,
      /go to the (?:media|press|news)|\bjournalists?\b|expose you|post (?:this|it) (?:online|on (?:social media|twitter|x|facebook|instagram|tiktok|reddit|weibo))|newspapers?|tell the (?:press|media)|go viral/,
    ],
  },
  {
    rule: 'fraud.account',
    group: 'fraud',
    reason: 'a stolen account or unauthorised charges',
    patterns: [
      /被盗|盗刷|盗号|盗用|被(?:别人|人|他人)(?:登录|登陆|登入|改|修改|用|冒用)|不是我(?:本人)?(?:下|订|买|操作|付)的|(?:根本|从来)没(?:有)?(?:买|下单|订|消费)|我?没(?:有)?(?:下|订|买)过的|我没(?:有)?(?:买|下单|订)[^,，。]{0,8}(?:扣|被扣)|莫名其妙.{0,6}扣|被(?:人|别人|他人)(?:拿去|拿走|偷偷)|有人(?:登录|登陆|盗用|动)了?我的?(?:账号|账户|帐号|信用卡|银行卡)|被(?:人|别人|他人)?远程(?:控制|操作)|(?:账号|账户|帐号)[^,，。]{0,8}(?:异地登录|被登录)|不认识的[^,，。]{0,6}(?:扣款|消费|订单)/,
      /account (?:was |has been |got )?(?:hacked|stolen|compromised|taken over)|unauthori[sz]ed (?:charge|transaction|payment|purchase)|i (?:did not|didn't|never) (?:buy|book|order|make)|someone (?:logged|signed) (?:in|into) my account|(?:booking|order|charge|purchase)s? i never made|someone used my (?:card|account)|never authori[sz]ed|(?:did not|didn't) authori[sz]e/,
    ],
  },
  {
    rule: 'fraud.scam',
    group: 'fraud',
    reason: 'a scam: someone posing as customer service, phishing, or a victim',
    patterns: [
      /(?:被|遭遇|遇到)诈骗|骗子|(?<!防止|避免|以防|怎么防|如何防|会不会|怕)被骗|骗了|冒充|(?:自称|说是|声称)(?:是)?.{0,6}客服|假(?:的)?客服|钓鱼|(?:让|叫|要)我[^,，。]{0,8}(?:屏幕共享|共享屏幕|远程(?:控制|操作|协助))|(?:开|打开|开了)(?:了)?(?:屏幕共享|共享屏幕)|(?:给了|告诉了?|发给|报给)(?:对方|他|她|别人|陌生人).{0,4}验证码|验证码.{0,8}(?:骗|给了|告诉了|被人)|先(?:交|付|转)[^,，。]{0,6}(?:保证金|手续费|解冻费|押金)|(?:保证金|手续费|解冻费).{0,8}(?:才能|才可以|才会)(?:打款|退款|理赔|到账|办理)|让我转账|让我下载|会议软件|(?:有人|陌生人|陌生号码)(?:打电话|来电|发短信|发消息)说|转账.{0,6}(?:办理|退款|解冻)|(?:链接|连结).{0,10}(?:银行卡|卡号|密码)|(?:短信|邮件|电话|来电)[^。]{0,14}(?:银行卡号|卡号|密码|验证码)[^。]{0,8}(?:是你们|真的吗|是真的)/,
      /\bscam(?:med|mer)|is (?:this|it|that) (?:a )?scam|\bfraud(?:ster|ulent)|(?:been|got|was) (?:a victim of )?fraud|phishing (?:link|text|email|site) [^.]{0,20}(?:clicked|entered|gave)|pretend(?:ed|ing)? to be (?:your|customer)|someone (?:called|texted) (?:me )?(?:saying|claiming)|(?:email|text|sms|message|call)[^.?]{0,20}ask(?:ing|ed)? (?:me )?(?:for )?my (?:card|bank|password|pin|verification)/,
    ],
  },
  {
    rule: 'refund.demand',
    group: 'refund',
    reason: 'a dispute demanding a specific refund or compensation',
    patterns: [
      new RegExp(String.raw`(?:退|赔|补偿|返还|还|打)(?:给)?我[^。!！?？]{0,14}?${AMOUNT}`),
      new RegExp(String.raw`(?:赔偿|索赔|要求赔|要求退|补偿)[^。!！?？]{0,10}?${AMOUNT}`),
      new RegExp(
        String.raw`${AMOUNT}[^。!！?？]{0,8}(?:必须|一定要|马上|立刻|今天就?)[^。!！?？]{0,10}(?:退|赔|打|返|还)(?:给)?我`,
      ),
      new RegExp(
        String.raw`把[^。!！?？]{0,4}${AMOUNT}[^。!！?？]{0,4}(?:退|赔|打|返|还)(?:给)?我|要求(?:全额)?(?:退款|退还|赔偿|赔付)[^。!！?？]{0,6}${AMOUNT}`,
      ),
      new RegExp(String.raw`${AMOUNT}[^。!！?？]{0,12}(?:给我退|退给我|赔给我|还给我|退回来|赔回来)`),
      /(?:refund|compensate|pay) me (?:back )?(?:[$¥]|rmb|cny)?\s*\d|i (?:demand|want) (?:a )?(?:refund|compensation) of|owe me (?:[$¥€£]|rmb|cny)?\s*\d|(?:expect|demand|want|need) (?:a )?(?:full )?(?:refund|compensation) of (?:[$¥€£])?\s*\d|\d+\s*(?:dollars|usd|euros?|pounds|yuan|rmb)\b[^.]{0,20}(?:back|refund|compensat)/,
    ],
  },
  {
    rule: 'emergency.safety',
    group: 'emergency',
    reason: 'an emergency: personal safety, theft, disaster or being stranded',
    patterns: [
      /报警(?!器|系统|功能|装置)|警察|(?:打|叫|拨)(?:110|120|119|911)|救命(?![这太好])|车祸|被困|困在|绑架|被抢|抢劫|扣住|扣押|不让(?:我们?)?走|很害怕|好害怕|有危险|人身安全|走散|失联|扔在半路|(?:手机)?快没电|地震(?!险)|海啸(?!险)|恐袭|爆炸(?!头|款|性|装)|暴乱|战乱|停电了|火灾(?:了|中)|着火|起火|失火|疏散|走丢|走失|(?:孩子|老人|小孩)[^,，。]{0,4}(?:不见了|找不到|丢了)|抛锚|(?:导游|司机|领队)[^,，。]{0,4}(?:不见了|联系不上|失联|跑了)|闯进|闯入/,
      /护照(?:和[^,，。]{0,4})?(?:都|也)?(?:丢|被偷|被抢|不见|找不到|遗失)|(?:丢|遗失)了?护照/,
      /\bsos\b|emergency(?! (?:contact|number|fund|exit|kit|plan|service))|\bpolice\b|stolen passport|(?:lost|stole) (?:my )?passport|car accident|\bstranded\b|\btrapped\b|\brobbed\b|\bkidnap|earthquake|evacuat|tsunami|(?:on|caught|catch(?:es|ing)?) fire|fire (?:broke out|in (?:the|my|our))|there'?s a fire|house fire|terror|missing child|lost (?:my )?(?:child|son|daughter|kid)|(?:guide|driver) (?:disappeared|abandoned us|left us)|abandoned us|left us behind|broke into (?:our|my) room/,
    ],
  },
  {
    rule: 'emergency.medical',
    group: 'emergency',
    reason: 'a medical emergency',
    patterns: [
      /急救(?!包|箱|知识|培训)|救护车(?!费)|(?:疼|痛)得(?:厉害|受不了|不行)|抢救|胸口疼|胸口痛|胸痛|心脏病|呼吸困难|喘不上气|晕倒|昏迷|休克|抽搐|高烧|发高烧|大出血|出血了|突然出血|流血不止|骨折|中毒(?!险)|上吐下泻|起不来|送医|医院在哪|受伤|摔伤|过敏.{0,4}(?:严重|肿)|严重过敏|生病住院|(?:送|进)(?:了)?(?:医院|急诊)|去急诊|溺水|嘴唇发紫|不省人事|流血|喘不过气|心脏[^,，。]{0,4}不舒服|全身(?:起|长)(?:红疹|疹子)|要生了|羊水破了/,
      /ambulance(?! (?:ride|cost|fee|bill|cover))|heart attack|unconscious|can't breathe|cannot breathe|\bbleeding\b|seizure|food poisoning|\binjured\b|medical emergency|allergic reaction|anaphyla|\bstroke\b|fainted|passed out|collapsed|unresponsive|hospitali[sz]ed|drown|(?:went|gone|going) into labou?r|giving birth|contractions/,
    ],
  },
  {
    rule: 'privacy.third_party',
    group: 'privacy',
    reason: "a request for another person's data",
    patterns: [
      new RegExp(
        String.raw`(?:查|看看|看下|看一下|调出|调取|导出|找一下|搜)[^,，。]{0,6}(?:我的?)?${OTHER_PERSON}(?:的)?[^,，。]{0,10}${PERSONAL_DATA}`,
      ),
      new RegExp(
        String.raw`(?:把|将)?(?:我的?)?${OTHER_PERSON}[^,，。]{0,12}(?:订单|航班|行程|出行|记录|信息)[^,，。]{0,10}(?:发给我|发我|导出|告诉我|给我看|发(?:一份)?(?:到|给)我)`,
      ),
      /(?:查|看看|看下|看一下)(?:一下)?(?:他|她)(?:的)?[^,，。]{0,6}(?:航班|订单|酒店|行程)/,
      /我是(?:他|她)的?(?:老板|领导|经理|上司|家人|爸爸|妈妈|父亲|母亲|丈夫|妻子|老公|老婆)|(?:查|看)(?:一下|下)?(?!一下|下)(?![^订住的]{0,3}[我您你看询订单])[\u4e00-\u9fa5]{2,3}(?:订的|的订单|的航班|住的|住哪)/,
      /(?<!需要|要|用|填|写)(?:他|她|别人|他人|朋友|这个人|对方)的?身份证(?:号)?|身份证号[^,，。]{0,10}(?:查|帮我看)[^,，。]{0,8}(?:这个人|他|她|别人)/,
      /机主是谁|(?:这个|那个)?(?:号码|手机号|电话(?:号码?)?)(?:是)?谁(?:的|在用)|谁在用(?:这个)?(?:号|手机|电话)|定位(?:一下)?(?:这个|他|她|那个)|(?:他|她)的?(?:新)?(?:号码|手机号|住址|家庭住址|真实姓名)(?:告诉|给)我|(?:告诉|给)我(?:他|她)的?(?:新)?(?:号码|手机号|住址|地址|真实姓名)/,
      /(?:someone else'?s|another person'?s|my (?:friend|husband|wife|colleague|boss|ex)'?s?) (?:booking|order|flight|reservation|itinerary|id|passport)|(?:look up|check|find|show me) (?:his|her) (?:booking|order|flight|reservation)|who (?:owns|is behind|this number belongs to)|(?:track|locate) (?:this|his|her|the) (?:phone|number)|name and (?:home )?address|my (?:ex-?wife|ex-?husband|ex|girlfriend|boyfriend|friend|husband|wife|colleague|boss|neighbou?r) (?:booked|is staying|stayed|flew|flies|reserved)|(?:passport|id) (?:number|details) of (?:the )?(?:other|another)|other passenger'?s (?:passport|id|details)/,
    ],
  },
  {
    rule: 'self_harm',
    group: 'self_harm',
    reason: 'the customer hints at self-harm',
    patterns: [
      /不想活|自杀(?!条款|免责|除外)|自殺(?!條款)|自尽|轻生|寻死|自残|活不下去|活不成了|(?<!笑|累|热|饿|困|忙|烦|急|吓|气|美|冷|困|香|闷)想死(?![你您这那]|了(?:这|那|你))|一了百了|结束(?:自己的?)?(?:生命|一切)|结束自己|了结自己|自我了断|自己了断|活着(?:真|都|还)?没(?:有)?(?:意思|意义)|跳楼(?!价|大甩卖|甩卖)|割腕|撑不下去了|想(?:从[^,，。]{0,8})?跳下去|遗书|死了算了|还不如死|从这个世界(?:上)?消失|(?:我|想|要|打算|准备)(?:就|也|真的|早点)?离开这个世界|活着(?:就是|只是)(?:在)?浪费|(?:活着|活下去)还有什么意思|活着有什么意思|大不了一起死/,
      /kill(?:ing)? myself|\bsuicid(?!e (?:clause|exclusion))|end(?:ing)? (?:my life|it all)|want(?:ed)? to die|hurt(?:ing)? myself|(?:don't|do not|dont) want to (?:live|be alive)|no reason to live|take my (?:own )?life|better off without me|cut myself|nobody would (?:even )?(?:notice|care) if i (?:disappeared|died|was gone)|(?:pills|rope) (?:is |are )?ready|\b(?:want|going|ready|planning) to leave this world/,
    ],
  },
  {
    rule: 'threat.violence',
    group: 'threat',
    reason: 'the customer threatens violence',
    patterns: [
      /(?:弄死|砍死|捅死|打死|杀了|宰了|废了|揍)(?:你|他|她|那个)|(?:带|拿)(?:着)?(?:刀|汽油|家伙|炸弹)|放火|纵火|泼汽油|(?:炸|烧|砸)了你们|一把火烧了|同归于尽|给(?:他|她|你)(?:们)?点颜色看看|(?:门口|楼下|路上)(?:等着?|堵)(?:他|她|你|那个人)|(?:在|到)(?:你们?)?(?:公司|门口|楼下|下班路上)(?:等|堵)(?:你|他|她)|让你(?:们)?(?:全家)?(?:不得安宁|付出血|好看)/,
      /\bi(?:'ll| will| am going to|'m going to|m gonna| gonna) (?:kill|hurt|stab|shoot|beat|find) (?:you|him|her|them)|break (?:his|her|your) (?:legs|neck)|burn (?:the place|your (?:store|office|shop)) down|bomb on (?:the|flight|your)|watch your back|someone is going to get hurt/,
    ],
  },
  {
    rule: 'bereavement.deceased',
    group: 'bereavement',
    reason: 'a bereaved relative or a deceased account holder',
    patterns: [
      /去世|过世|离世|病逝|逝世|遗体|奔丧|办后事|过身|(?:爸|妈|妈咪|爹地|老公|老婆|家人|屋企人|爷爷|嫲嫲|公公|婆婆|外公|外婆|老豆|老母)[^,，。]{0,2}走咗|(?:已故|先父|先母)|(?:爸|妈|父亲|母亲|老公|老婆|丈夫|妻子|先生|太太|儿子|女儿|哥|姐|弟|妹|爷爷|奶奶|外公|外婆|老伴)[^,，。]{0,3}(?:走了|没了|不在了)(?![^,，。]{0,2}(?:路|过来|很久|一趟))/,
      /\b(?:passed away|deceased|my late (?:husband|wife|father|mother|dad|mom|mum|son|daughter|brother|sister))|\b(?:my|our) (?:\w+ )?(?:father|mother|dad|mom|mum|husband|wife|son|daughter|brother|sister|grandma|grandpa|grandmother|grandfather) (?:just |suddenly |recently )?died/,
    ],
  },
  {
    rule: 'vulnerable.misled',
    group: 'vulnerable',
    reason: 'a child or an elderly customer misled into paying',
    patterns: [
      /(?:孩子|儿子|女儿|小孩|孙子|孙女|外孙|未成年|小朋友|初中生|小学生|中学生|\d{1,2}岁)[^。!?！？]{0,16}(?:偷偷|充值了|充了|打赏了|刷礼物|刷了|花了|乱买|乱点|被骗|被诱导|借了)/,
      /(?:老人|老年人|老人家|爸|妈|奶奶|爷爷|外婆|外公|姥姥|姥爷|[六七八九]十多?岁|[6-9]\d岁)[^。!?！？]{0,16}(?:被忽悠|忽悠|被骗|骗着|被推销|被诱导|被劝|被哄|哄着)/,
      /\b(?:my )?(?:\d{1,2}[- ]year[- ]old|kid|son|daughter|child|toddler|grand(?:ma|pa|mother|father)|elderly (?:mum|mom|dad|father|mother|parent)s?)\b[^.!?]{0,40}(?:spent|bought|ordered|tricked|talked into|pressured|signed up)/,
    ],
  },
  {
    rule: 'escalation.repeated',
    group: 'escalation',
    reason: 'repeated failure: the customer has asked again and again',
    patterns: [
      /第[三四五六七八九十n几]+次|[三四五六七八九十]次了|好几次了|无数次|多少遍|多少次了|(?<![\d.])(?:[3-9]|1\d)\s*(?:次|遍)了|问了[^,，。]{0,3}[八九十几好多]+遍|(?:一直|总是)(?:在)?(?:绕圈子|踢皮球|推来推去)|(?:受够了|忍(?:了)?很久了)|升级处理|垃圾服务|什么破服务|到底(?:谁|有没有人)(?:在)?(?:负责|管)|到底在搞什么/,
      /\b(?:for the|this is the|that's the) (?:\d+(?:st|nd|rd|th)|third|fourth|fifth|sixth|tenth|umpteenth) time|(?:three|four|five|six|several|\d+) times (?:already|now)|escalate (?:this|my)|in circles/,
    ],
  },
];

/** A tenant's hand-over settings (the `handover:` section of tenant.yaml), compiled. */
export interface HandoverConfig {
  /** Extra patterns, matched against the normalised text. */
  patterns?: readonly RegExp[];
  /** Groups (`fraud`) or rule codes (`emergency.medical`) that do not apply to this tenant. */
  disabled?: readonly string[];
  /** The pack's own phrases and patterns per category (src/guard/handover/pack-rules.ts). */
  additions?: ReadonlyArray<{ category: HandoverCategory; pattern: RegExp; source: string }>;
  /** The tenant's crisis lines per locale, replacing kefu's defaults in the self-harm reply. */
  crisisLines?: Partial<Record<Locale, string>>;
}

/** The default rule codes, for documentation and tests. */
export const HANDOVER_RULES: ReadonlyArray<{ rule: string; group: HandoverGroup; reason: string }> = DEFAULT_RULES.map(
  ({ rule, group, reason }) => ({ rule, group, reason }),
);

/** Self-harm is checked first: a message that also asks for a person is still a crisis first. */
const ORDERED_RULES: readonly Rule[] = [
  ...DEFAULT_RULES.filter((rule) => rule.group === 'self_harm'),
  ...DEFAULT_RULES.filter((rule) => rule.group !== 'self_harm'),
];

const RULE_CATEGORY: Record<string, HandoverCategory> = {
  'human.request': 'human_request',
  'complaint.regulator': 'complaint_escalation',
  'complaint.formal': 'complaint_escalation',
  'complaint.legal': 'complaint_escalation',
  'complaint.media': 'complaint_escalation',
  'fraud.account': 'account_takeover',
  'fraud.scam': 'fraud_scam',
  'refund.demand': 'refund_demand',
  'emergency.safety': 'emergency_safety',
  'emergency.medical': 'emergency_safety',
  'privacy.third_party': 'third_party_data',
  self_harm: 'self_harm',
  'threat.violence': 'violence_threat',
  'bereavement.deceased': 'bereavement',
  'vulnerable.misled': 'vulnerable_payment',
  'escalation.repeated': 'repeated_failure',
};

/** The hand-over category of a rule code (`tenant:<category>:…` for a pack's categorised rule). */
export function ruleCategory(rule: string): HandoverCategory | null {
  const own = RULE_CATEGORY[rule];
  if (own) return own;
  const tenant = /^tenant:([a-z_]+):/.exec(rule);
  return tenant && isHandoverCategory(tenant[1]!) ? tenant[1] : null;
}

/**
 * Checks the default rules (minus the tenant's disabled groups) plus a tenant's own patterns on
 * normalised text. Returns the first rule that matches (self-harm first), or null.
 */
export function detectHandover(
  normalizedText: string,
  tenantPatterns: readonly RegExp[] = [],
  disabled: readonly string[] = [],
  additions: HandoverConfig['additions'] = [],
): HandoverSignal | null {
  const off = new Set(disabled);
  for (const rule of ORDERED_RULES) {
    if (off.has(rule.group) || off.has(rule.rule)) continue;
    if (rule.patterns.some((pattern) => pattern.test(normalizedText))) return { reason: rule.reason, rule: rule.rule };
  }
  for (const addition of additions)
    if (addition.pattern.test(normalizedText))
      return { reason: "matched a rule of the tenant's pack", rule: `tenant:${addition.category}:${addition.source}` };
  for (const pattern of tenantPatterns)
    if (pattern.test(normalizedText))
      return { reason: 'matched a tenant hand-over rule', rule: `tenant:${pattern.source}` };
  return null;
}

/** A tenant's `handover:` settings as tenant.yaml writes them (src/tenancy/tenant-settings.ts). */
export interface HandoverSettingsInput {
  patterns?: readonly string[];
  keywords?: readonly string[];
  disable?: readonly string[];
  /** Per category, the pack's own phrases (literal) and patterns (regular expressions). */
  rules?: ReadonlyArray<{ category: string; phrases?: readonly string[]; patterns?: readonly string[] }>;
  /** The crisis lines the self-harm reply names, per locale (zh-CN, zh-TW, zh-HK, en). */
  crisis_lines?: Partial<Record<Locale, string>>;
}

/**
 * Compiles a tenant's `handover:` settings: `patterns` are regular expressions on normalised text
 * (case-insensitive), `keywords` literal phrases (normalised like messages, so Traditional ones
 * work), `rules` the same per category. Invalid entries are left out and returned as problems
 * (tenant.yaml is validated at import, with its line, before it gets here).
 */
export function compileHandoverSettings(
  settings: HandoverSettingsInput | null | undefined,
  normalize: (text: string) => string,
): { config: Required<HandoverConfig>; problems: string[] } {
  const problems: string[] = [];
  const patterns: RegExp[] = [];
  const compile = (source: string, where: string): RegExp | null => {
    try {
      return new RegExp(source, 'i');
    } catch (error) {
      problems.push(
        `${where} ${JSON.stringify(source)} is not a valid regular expression: ${(error as Error).message}`,
      );
      return null;
    }
  };
  const literal = (phrase: string): RegExp | null => {
    const normalized = normalize(phrase).trim();
    return normalized ? new RegExp(normalized.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : null;
  };
  for (const source of settings?.patterns ?? []) {
    const pattern = compile(source, 'handover pattern');
    if (pattern) patterns.push(pattern);
  }
  for (const keyword of settings?.keywords ?? []) {
    const pattern = literal(keyword);
    if (pattern) patterns.push(pattern);
  }
  const additions: Array<{ category: HandoverCategory; pattern: RegExp; source: string }> = [];
  for (const [index, rule] of (settings?.rules ?? []).entries()) {
    if (!isHandoverCategory(rule.category)) {
      problems.push(`handover.rules[${index}].category ${JSON.stringify(rule.category)} is not a hand-over category`);
      continue;
    }
    for (const source of rule.patterns ?? []) {
      const pattern = compile(source, `handover.rules[${index}] pattern`);
      if (pattern) additions.push({ category: rule.category, pattern, source });
    }
    for (const phrase of rule.phrases ?? []) {
      const pattern = literal(phrase);
      if (pattern) additions.push({ category: rule.category, pattern, source: phrase });
    }
  }
  const known = new Set<string>([...HANDOVER_GROUPS, ...DEFAULT_RULES.map((rule) => rule.rule)]);
  const disabled: string[] = [];
  for (const name of settings?.disable ?? []) {
    if (known.has(name)) disabled.push(name);
    else problems.push(`handover.disable names ${JSON.stringify(name)}, which is not a rule group or rule`);
  }
  const crisisLines = { ...(settings?.crisis_lines ?? {}) };
  return { config: { patterns, disabled, additions, crisisLines }, problems };
}
