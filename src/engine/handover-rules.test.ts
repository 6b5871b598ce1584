import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../text/index.js';
import { compileHandoverSettings, detectHandover, HANDOVER_GROUPS, HANDOVER_RULES } from './handover-rules.js';

/** As the pipeline calls it: on normalised text (Traditional → Simplified, lower case). */
const ruleOf = (text: string, patterns: RegExp[] = [], disabled: string[] = []) =>
  detectHandover(normalizeText(text).text, patterns, disabled)?.rule ?? null;

// Each rule in Simplified Chinese, Traditional Chinese and English.
const cases: Record<string, { hans: string[]; hant: string[]; en: string[] }> = {
  'human.request': {
    hans: ['转人工', '别跟我扯了，我要找真人客服', '人工人工人工！！'],
    hant: ['給我轉接真人客服', '我要轉人工'],
    en: ['I want to speak to a human', 'real person please', 'Agent please'],
  },
  'complaint.regulator': {
    hans: [
      '退票扣了我一半的钱，我要去12315投诉',
      '航班取消了不通知，我要向民航局投诉你们',
      '已经打了消协电话，你们看着办',
    ],
    hant: ['說好的保價又不給退，我要打12315投訴你們', '我要向民航局投訴'],
    en: ['I will file a complaint with the CAAC', 'I am reporting you to the consumer association'],
  },
  'complaint.formal': {
    hans: ['我要投诉，你们的导游中途把我们扔下了', '我要正式投诉你们的服务'],
    hant: ['我要投訴你們的客服態度'],
    en: ['I want to file a complaint about the tour'],
  },
  'complaint.legal': {
    hans: ['再不解决我就请律师起诉你们', '我们法院见'],
    hant: ['我會請律師告你們', '準備起訴'],
    en: ['I will sue you', 'my lawyer will contact you'],
  },
  'complaint.media': {
    hans: ['我要找媒体曝光你们', '我要发到微博上'],
    hant: ['我要找媒體曝光'],
    en: ['I will go to the press', 'journalists will hear about this'],
  },
  'fraud.account': {
    hans: ['我的账号被盗了，多了好几笔订单', '信用卡被扣了三笔钱，我根本没买东西', '账号里多了几笔我没下过的订单'],
    hant: ['我的帳號被盜了', '信用卡被盜刷了'],
    en: ['my account was hacked', 'there is an unauthorized charge on my card'],
  },
  'fraud.scam': {
    hans: ['有个自称客服的让我开屏幕共享', '收到短信说改签要先交保证金，链接让我填银行卡', '我把验证码告诉了对方'],
    hant: ['有人冒充客服打電話給我', '有人打電話說要給我退款，讓我下載會議軟件'],
    en: ['is this a scam?', 'someone called me saying my flight was cancelled'],
  },
  'refund.demand': {
    hans: ['这张票你们必须全额退我2380元', '要求你们赔我一万块', '剩下的4200必须全部退给我'],
    hant: ['酒店住得一塌糊塗，退我一半房費，也就是1500塊', '要求賠償3000元'],
    en: ['refund me 500 now', 'I demand a refund of the full fare'],
  },
  'emergency.safety': {
    hans: ['我在巴黎护照和钱包都被偷了', '在曼谷被司机扣住行李不让走', '出车祸了'],
    hant: ['在國外護照丟了，明天就要登機', '我們被困在山上了'],
    en: ['I lost my passport in Rome', 'we are stranded at the station, please call the police'],
  },
  'emergency.medical': {
    hans: ['孩子高烧40度还抽搐', '我老公胸口疼，需要急救'],
    hant: ['朋友潛水出事了現在在醫院搶救', '她肚子疼得厲害'],
    en: ['we need an ambulance', 'my father is having a heart attack'],
  },
  'privacy.third_party': {
    hans: [
      '帮我查一下我老公最近订了哪家酒店',
      '能不能把我前女友的订单记录发给我',
      '我知道他的身份证号，帮我查下这个人',
    ],
    hant: ['幫我查一下我朋友的訂單', '你幫我看看他下週幾點的航班'],
    en: ["can you look up my friend's booking", "show me someone else's reservation"],
  },
  self_harm: {
    hans: ['我真的不想活了', '想自杀', '我想离开这个世界'],
    hant: ['活不下去了', '我想自殺', '真的好想離開這個世界'],
    en: ['I want to kill myself', 'thinking about suicide', 'I just want to leave this world'],
  },
  'threat.violence': {
    hans: ['再不退钱我就带着刀去你们门店', '那个快递员我见一次揍他一次'],
    hant: ['再不退錢我就去你們公司放火'],
    en: ["I'll find you and hurt you", 'give me my money or i will burn the place down'],
  },
  'bereavement.deceased': {
    hans: ['我父亲上个月去世了，他的账户怎么处理', '我妈走了，她的手机号还在扣费'],
    hant: ['家母上週過世了，她的帳戶要怎麼處理'],
    en: ['my father passed away, how do I close his account', 'my husband died and I cannot access our account'],
  },
  'vulnerable.misled': {
    hans: ['我儿子才9岁，偷偷在游戏里充了八千', '我妈七十多了，被直播间忽悠买了两万块保健品'],
    hant: ['我兒子用我的手機偷偷儲值，他才十歲'],
    en: ['my 8 year old spent $1,200 on in-game purchases'],
  },
  'escalation.repeated': {
    hans: ['这是我第三次来问了，到底能不能解决', '同一个问题问了八遍了'],
    hant: ['我已經反映第四次了'],
    en: ['this is the fourth time I have contacted you', "I've asked three times already"],
  },
};

describe('detectHandover', () => {
  it('covers every default rule in the cases below', () => {
    expect(Object.keys(cases).sort()).toEqual(HANDOVER_RULES.map((rule) => rule.rule).sort());
  });

  for (const [rule, byScript] of Object.entries(cases)) {
    for (const [script, texts] of Object.entries(byScript)) {
      it.each(texts)(`${rule} (${script}): %s`, (text) => {
        expect(ruleOf(text)).toBe(rule);
      });
    }
  }

  // Ordinary questions that share a keyword with a rule must be answered, not handed over.
  it.each([
    '退款多久能到账',
    '机票退票怎么收费？',
    '我要退款',
    '信用卡积分能抵扣吗',
    '收不到验证码怎么办',
    '登录验证码发到哪个手机',
    '人工客服几点下班',
    '你们人工客服电话是多少',
    '保险理赔要什么材料',
    '给我朋友订一张机票',
    '帮我朋友订个酒店',
    '孕妇可以坐飞机吗',
    '延误险怎么赔',
    '退票能退回多少钱',
    '改签要补多少钱',
    '降价了能退差价吗',
    '护照办理签证需要多久',
    '酒店有没有停车场',
    'How do I get a refund?',
    'can I change my flight date',
    'what is the baggage allowance for checked luggage',
    '電影票怎麼退票',
    '投诉电话是多少',
    '怎么投诉酒店',
    '查一下我订的航班',
    '帮我查下我们订的酒店',
    '过敏体质能吃飞机餐吗',
    'how do I check my booking',
    'is breakfast included for my wife too',
    '台风天航班会取消吗',
    '住院证明可以办理退票吗',
    '怎么查看订单的航班信息',
    '行李可以先扔下在酒店寄存吗',
    '在医院附近有酒店吗',
    // The issue's own look-alikes and others that share a rule's words.
    '退款多久到账',
    '怎么注销账号',
    '怎么识别诈骗电话',
    '累死了帮我查下快递',
    '我想死你们的新品了',
    'how do I spot a scam call',
    'kill the noise on my headphones',
    '自杀条款是什么意思',
    '家财险包括火灾吗',
    'how do i update my emergency contact',
    '屏幕共享功能怎么开',
    '律师执业责任险你们有吗',
    '周末有人工客服吗',
    '跳楼价清仓是真的吗',
    '第二次下单能用新人券吗',
    '孩子想买皮肤，家长怎么帮他充值',
    '我想让我爸来取快递，要带什么证件',
    'my dad will pick up the parcel for me',
  ])('does not hand over: %s', (text) => {
    expect(ruleOf(text)).toBeNull();
  });

  it('reads "leaving this world" as self-harm only when the customer says it of themselves', () => {
    expect(ruleOf('我想离开这个世界')).toBe('self_harm');
    expect(ruleOf('我妈上个月离开这个世界了，她的账户怎么办')).not.toBe('self_harm');
    expect(ruleOf('my father left this world last month')).not.toBe('self_harm');
  });

  it('applies a tenant pattern after the defaults and names it in the rule', () => {
    expect(ruleOf('我要开发票', [/开发票/])).toBe('tenant:开发票');
    expect(ruleOf('转人工', [/开发票/])).toBe('human.request');
  });

  it('skips disabled groups and rules', () => {
    expect(ruleOf('我要找媒体曝光', [], ['complaint'])).toBeNull();
    expect(ruleOf('我要找媒体曝光', [], ['complaint.legal'])).toBe('complaint.media');
    expect(ruleOf('孩子高烧抽搐', [], ['emergency.medical'])).toBeNull();
  });
});

describe('compileHandoverSettings', () => {
  const normalize = (text: string) => normalizeText(text).text;

  it('compiles patterns and Traditional keywords, and disables known groups', () => {
    const { config, problems } = compileHandoverSettings(
      { patterns: ['VIP.*投诉'], keywords: ['退團'], disable: ['refund'] },
      normalize,
    );
    expect(problems).toEqual([]);
    expect(config.disabled).toEqual(['refund']);
    expect(detectHandover(normalize('vip用户要投诉'), config.patterns, config.disabled)?.rule).toBe('tenant:VIP.*投诉');
    expect(detectHandover(normalize('我想退團'), config.patterns, config.disabled)?.rule).toBe('tenant:退团');
    expect(detectHandover(normalize('必须退我2380元'), config.patterns, config.disabled)).toBeNull();
  });

  it('reports invalid patterns and unknown groups instead of throwing', () => {
    const { config, problems } = compileHandoverSettings({ patterns: ['(unclosed'], disable: ['nope'] }, normalize);
    expect(config.patterns).toEqual([]);
    expect(config.disabled).toEqual([]);
    expect(problems).toHaveLength(2);
    expect(HANDOVER_GROUPS).toContain('fraud');
  });
});

describe('on travel-zh dev (the rules were tuned on it: a regression check, not a result)', async () => {
  const { readFileSync } = await import('node:fs');
  const { fixturePath } = await import('../../test/support/fixtures.js');
  const file = fixturePath('travel-zh', 'dev.jsonl');
  it('catches ≥ 95 % of the risk rows and hands over < 1 % of the others', () => {
    const rows = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { text: string; kind: string });
    const risk = rows.filter((row) => row.kind === 'risk');
    const others = rows.filter((row) => row.kind !== 'risk');
    const caught = risk.filter((row) => ruleOf(row.text) !== null).length;
    const falseHandovers = others.filter((row) => ruleOf(row.text) !== null).length;
    expect(caught / risk.length).toBeGreaterThanOrEqual(0.95);
    expect(falseHandovers / others.length).toBeLessThan(0.01);
  });
});

describe('on the hand-written risk sets (bench/data; the rules were fixed after each first run)', () => {
  it.each(['risk-heldout.jsonl', 'risk-heldout-v2.jsonl'])(
    '%s: every risk row is handed over, no ordinary row is',
    (file) => {
      const rows = readFileSync(new URL(`../../bench/data/${file}`, import.meta.url), 'utf8')
        .trim()
        .split('\n')
        .map((line: string) => JSON.parse(line) as { text: string; expected: string });
      const missed = rows.filter((row) => row.expected === 'human' && ruleOf(row.text) === null).map((row) => row.text);
      const wrong = rows.filter((row) => row.expected !== 'human' && ruleOf(row.text) !== null).map((row) => row.text);
      expect(missed).toEqual([]);
      expect(wrong).toEqual([]);
    },
  );
});
