import type { Heard, SimulatedCall } from '../voice/simulators.js';

/**
 * What the voice tests (test/voice/voice.test.ts) and the voice bench (bench/voice.ts) both say on a
 * simulated call: the demo scenarios' lines (examples/dialogues) and the driver that plays them.
 */

/** The shop's late-parcel call (zh-CN with a zh-TW line). */
export const LATE_PARCEL = [
  '你好',
  '我的快递怎么还没到啊，都超过说好的日期好几天了',
  '订单号 XM20261115003',
  '那帮我加急催一下吧',
  '補償券是直接發到我帳戶裡嗎？',
  '算了，要是明天还不到我就想退货，运费谁出？',
  '好的谢谢，拜拜',
] as const;

/** The bank's instalment-quote call (zh-CN with a zh-TW line). */
export const INSTALMENT = [
  '您好',
  '这期账单有点多，想分期，12000分12期每个月要还多少',
  '手续费总共多少？年化利率是多少',
  '那分24期呢',
  '如果中途想提前还清，已經付的手續費會退嗎？',
  '分期最少要多少钱才能办',
  '好的，明白了谢谢',
] as const;

/** FAQ questions of the shop demo (zh-CN and zh-TW): the turns of the latency bench. */
export const FAQ_QUESTIONS = [
  '七天无理由退货怎么申请？',
  '运费怎么算',
  '怎么开发票',
  '優惠券怎麼用',
  '会员积分有什么用',
];

/**
 * Plays a call: the start, then each line, until the bot holds the caller for a person, hangs up
 * or transfers. `onTurn` sees each answer as it comes (tests assert there).
 */
export async function playScript(
  call: SimulatedCall,
  lines: readonly string[],
  onTurn: (heard: Heard, line: string) => void = () => undefined,
): Promise<Heard[]> {
  const heard: Heard[] = [await call.start()];
  for (const line of lines) {
    const turn = await call.say(line);
    onTurn(turn, line);
    heard.push(turn);
    if (turn.hold || turn.hungUp || turn.transfer) break;
  }
  return heard;
}
