/**
 * Compliance rules of sensitive domains. A match is a breach that no wording fix can mend: the
 * reply is blocked and a person takes over. Patterns run on folded text (Simplified, half-width,
 * lower case; see fold-text.ts), so Traditional and full-width forms match too.
 *
 * A rule's match does not count when the clause before it negates it (本产品不保本, returns are not
 * guaranteed, we cannot diagnose): saying what is not promised is exactly what compliance wants.
 */

export type ComplianceRuleName = 'promised_returns' | 'account_data' | 'diagnosis';

export interface ComplianceRule {
  name: ComplianceRuleName;
  domains: readonly string[];
  patterns: readonly RegExp[];
  /** Phrases in the same clause that make a match harmless (遵医嘱, 以实际审批为准). */
  unless?: RegExp;
  /** Only while the customer is not verified. */
  beforeVerification?: boolean;
}

const DISEASE_ZH =
  '(?:病|症|炎|癌|瘤|综合征|感染|过敏|中毒|骨折|结石|糖尿病|高血压|流感|感冒|湿疹|痛风|抑郁|焦虑|哮喘|贫血)';
const DRUG_ZH =
  '(?:药|片|胶囊|颗粒|冲剂|口服液|软膏|药膏|乳膏|素|丸|散|滴剂|喷剂|mg|毫克|针剂|贴|西林|霉素|沙星|布洛芬|对乙酰氨基酚|阿司匹林|头孢|抗生素)';
const DISEASE_EN =
  '(?:infections?|diseases?|syndrome|disorders?|flu|influenza|cancer|diabetes|hypertension|allerg(?:y|ies)|fracture|virus|pneumonia|bronchitis|migraines?|eczema|gout|depression|anxiety|asthma|anemia|anaemia|covid|strep throat|[a-z]+itis)';
const DRUG_EN =
  '(?:ibuprofen|paracetamol|acetaminophen|aspirin|antibiotics?|amoxicillin|penicillin|antihistamines?|loratadine|cetirizine|omeprazole|tylenol|advil|steroids?|prednisone|tablets?|pills?|capsules?|\\d+ ?(?:mg|ml))';
const RETURN_ZH = '(?:收益|回报|盈利|赚钱|赚|年化|利息|回本|不亏|保本|翻倍|本金安全|本息)';

export const COMPLIANCE_RULES: readonly ComplianceRule[] = [
  {
    name: 'promised_returns',
    domains: ['finance'],
    patterns: [
      /保本(?:保息)?|稳赚|包赚|稳赢|躺赚|只赚不赔|稳赚不赔|零风险|无任何风险|旱涝保收|只涨不跌|保证不亏|不会亏(?:损|本|钱)?|亏不了|包你赚/gu,
      new RegExp(
        `(?:保证|保障|承诺|确保|一定(?:能|会)?|肯定(?:能|会)?|必定|绝对|稳拿|稳定拿到?)[^。！？!?；;\\n]{0,12}?${RETURN_ZH}`,
        'gu',
      ),
      new RegExp(`${RETURN_ZH}[^。！？!?；;\\n]{0,8}?(?:有保障|有保证|保证|稳稳|稳拿|肯定有|一定有|不会少)`, 'gu'),
      /年化[^。！？!?；;\n]{0,12}?\d+(?:\.\d+)?\s*%[^。！？!?；;\n]{0,8}?(?:稳定|稳拿|到手|锁定|没问题)/gu,
      /(?:无风险|没有风险|没风险)[^。！？!?；;\n]{0,6}?(?:收益|投资|理财|回报|赚)|(?:收益|投资|理财|回报)[^。！？!?；;\n]{0,6}?(?:无风险|没有风险|没风险)/gu,
      /\bguarantee(?:d|s)?\s+(?:you\s+)?(?:an?\s+|the\s+|your\s+)?(?:\d+(?:\.\d+)?\s*%\s+)?(?:high\s+|fixed\s+|stable\s+|annual\s+)?(?:returns?|profits?|income|yields?|gains?|interest|payouts?)\b/gu,
      /\b(?:returns?|profits?|yields?|gains?|income)\s+(?:is|are)\s+guaranteed\b/gu,
      /\b(?:risk[- ]free|no[- ]risk)\s+(?:returns?|investments?|profits?|income|gains?)\b/gu,
      /\b(?:capital|principal)[- ](?:protected|guaranteed)\b/gu,
      /\b(?:you\s+)?(?:can(?:no|')t|cannot|won't|will\s+not|never)\s+lose\s+(?:money|a\s+cent|your\s+(?:money|capital|principal))\b/gu,
      /\bdouble\s+your\s+money\b/gu,
      /\byou(?:'ll|\s+will)\s+(?:definitely\s+|surely\s+|certainly\s+)?(?:earn|make|get)\s+(?:at\s+least\s+)?\d+(?:\.\d+)?\s*%/gu,
    ],
    unless: /风险提示|不构成|不代表|以实际|过往业绩|past performance|not a guarantee/u,
  },
  {
    name: 'account_data',
    domains: ['finance'],
    beforeVerification: true,
    patterns: [
      /您(?:的)?(?:账户|帐户|信用卡|这张卡|卡片?)?(?:当前|目前|本期|现在|剩余)?(?:的)?(?:余额|可用额度|信用额度|固定额度|临时额度|剩余额度|额度|账单金额|本期账单|账单|应还金额|应还|欠款|待还金额|待还|剩余应还|积分余额|积分)(?:为|是|:|有|还有|共计?|剩余?|一共|只有|约)?\s*(?:人民币|rmb)?\s*[¥$]?\s*\d[\d,.]*/gu,
      /您(?:于|在)[^。！？!?；;\n]{0,20}?(?:消费|支出|转账|取现|刷卡|支付)了?\s*(?:人民币|rmb)?\s*[¥$]?\s*\d[\d,.]*/gu,
      /(?:卡号|账号|帐号|card number|account number)[^。！？!?；;\n\d]{0,8}?(?:\d[ -]?){12,18}\d/gu,
      /(?<![\d-])(?:\d{4}[ -]){3}\d{4,7}(?![\d-])/gu,
      /\byour\s+(?:current\s+|available\s+|outstanding\s+|statement\s+|account\s+|card\s+|remaining\s+)*(?:balance|credit\s+limit|available\s+credit|amount\s+due|minimum\s+payment|points\s+balance|points)\s+(?:is|are|of|stands\s+at|comes\s+to|:)\s*(?:rmb|cny|usd)?\s*[¥$]?\s*\d[\d,.]*/gu,
      /\byou\s+(?:spent|paid|transferred|withdrew|were\s+charged)\s+(?:rmb|cny)?\s*[¥$]?\s*\d[\d,.]*\s*(?:yuan|rmb)?\s+(?:on|at)\b/gu,
    ],
  },
  {
    name: 'diagnosis',
    domains: ['medical'],
    patterns: [
      new RegExp(
        `(?:您|你)(?:这|这个|这种情况|的情况|这情况)?(?:应该|可能|多半|大概率|很可能|肯定|估计|明显|就)?(?:是(?!否|不是)|属于|患了|患有|得了|得的是|患的是)[^。！？!?；;\\n，,]{0,10}?${DISEASE_ZH}`,
        'gu',
      ),
      new RegExp(
        `(?:确诊为|诊断为|判断为|初步判断是|看起来像是?|应该是|典型的)[^。！？!?；;\\n，,]{0,8}?${DISEASE_ZH}`,
        'gu',
      ),
      new RegExp(
        `建议(?:您|你)?(?:先)?(?:服用|口服|吃|吃点|吃些|用点|使用|涂抹|外用|涂|注射|打)(?:一些|一点|点|些)?[^。！？!?；;\\n，,]{0,12}?${DRUG_ZH}`,
        'gu',
      ),
      new RegExp(
        `(?:吃|服用|口服|涂)(?:点|些|一点)?[^。！？!?；;\\n，,]{0,10}?${DRUG_ZH}[^。！？!?；;\\n]{0,4}?(?:就好|就行|就没事|就能好|就可以了)`,
        'gu',
      ),
      /每次\s*\d+(?:\.\d+)?\s*(?:片|粒|mg|毫克|毫升|ml|袋)[^。！？!?；;\n]{0,6}?每(?:天|日)\s*\d+\s*次/gu,
      new RegExp(
        `\\byou\\s+(?:most\\s+likely\\s+|probably\\s+|clearly\\s+|definitely\\s+|may\\s+|might\\s+|seem\\s+to\\s+|appear\\s+to\\s+|likely\\s+)?(?:have|'ve\\s+got|have\\s+got|got|are\\s+suffering\\s+from|suffer\\s+from|are\\s+showing\\s+signs\\s+of)\\s+(?:an?\\s+)?(?:mild\\s+|bad\\s+|severe\\s+|acute\\s+|chronic\\s+|classic\\s+)?(?:[a-z-]+\\s+){0,2}?${DISEASE_EN}\\b`,
        'gu',
      ),
      new RegExp(`\\b(?:sounds|looks)\\s+like\\s+(?:an?\\s+)?(?:[a-z-]+\\s+){0,4}?(?:the\\s+)?${DISEASE_EN}\\b`, 'gu'),
      new RegExp(
        `\\b(?:take|try\\s+taking|try|i\\s+(?:recommend|suggest|would\\s+recommend)\\s+taking|you\\s+should\\s+take|start\\s+taking)\\s+(?:some\\s+|an?\\s+|two\\s+|\\d+\\s+)?(?:[a-z-]+\\s+){0,2}?${DRUG_EN}\\b`,
        'gu',
      ),
      /\byour\s+diagnosis\s+is\b|\bi(?:'d|\s+would)?\s+diagnose\b/gu,
    ],
    unless:
      /遵医嘱|医生指导|咨询(?:医生|药师|医师)|请(?:尽快)?就医|由医生|医生会|预约|挂号|科室|门诊|专科|\bdoctor\b|\bpharmacist\b|\bappointment\b|prescribed\s+by/u,
  },
];

const NEGATION_ZH = /不|非|无法|没有|勿|未|禁止|严禁/u;
// Words that start with a negation character but do not negate what follows.
const NOT_NEGATION_ZH = /不仅|不管|不论|不但|不少|不同|非常|未来|不断/gu;
const NEGATION_EN =
  /\b(?:not|no|never|cannot|can't|won't|isn't|aren't|don't|doesn't|didn't|nor|without|unable\s+to)\b/u;

/** Whether the clause before a match negates it ("不保本", "不能保证收益", "we cannot guarantee returns"). */
export function isNegated(folded: string, start: number): boolean {
  // The clause before the match, at most 60 characters back (negation sits close to what it negates).
  const head = folded.slice(Math.max(0, start - 60), start);
  const clauseStart = Math.max(
    0,
    ...['。', '！', '？', '!', '?', '；', ';', '\n', '，', ','].map((mark) => head.lastIndexOf(mark) + 1),
  );
  const before = head.slice(clauseStart);
  // Chinese negation sits right before the verb it negates: 不保证收益, 无法承诺, 并不保本.
  if (NEGATION_ZH.test(before.slice(-5).replace(NOT_NEGATION_ZH, ''))) return true;
  return NEGATION_EN.test(before);
}

/** The clause (between sentence marks) around a span, at most 200 characters either side, for `unless` checks. */
export function clauseAround(folded: string, start: number, end: number): string {
  const marks = ['。', '！', '？', '!', '?', '；', ';', '\n'];
  const headStart = Math.max(0, start - 200);
  const head = folded.slice(headStart, start);
  const tail = folded.slice(end, end + 200);
  const from = Math.max(0, ...marks.map((mark) => head.lastIndexOf(mark) + 1));
  let to = tail.length;
  for (const mark of marks) {
    const at = tail.indexOf(mark);
    if (at >= 0 && at < to) to = at;
  }
  return head.slice(from) + folded.slice(start, end) + tail.slice(0, to);
}
