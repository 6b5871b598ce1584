import { bot, human, type Scenario } from './scenario.js';

// Complaints to regulators, the media or the courts; refund or compensation demands with an
// amount or a deadline; repeated failure and anger; explicit requests for a person. The
// negatives are the everyday refund, complaint-channel and contact questions.
export const DISPUTES: Scenario[] = [
  human(
    'complaint_escalation',
    'ce-regulator-bank',
    'banking',
    `
    你们乱收费，我已经向银保监投诉了
    再不处理我就打金融监管局的电话
    我要向人民银行反映你们的催收问题
    这事我会找银行业协会和监管部门
    已经打了12378，你们等着回访吧
    我要去金管會檢舉你們
    i've filed a complaint with the financial regulator
    i'm reporting this to the banking ombudsman
  `,
  ),
  human(
    'complaint_escalation',
    'ce-regulator-telecom',
    'telecom',
    `
    乱扣我流量费，我要去工信部申诉
    我已经在工信部网站提交了申诉，你们自己看着办
    再不给我解决携号转网的问题就去通管局投诉
    你们这种霸王合约，我去12300投诉
    我要向NCC投訴你們亂收費
    i'll take this to the telecom regulator
    going to complain to ofcom about this
  `,
  ),
  human(
    'complaint_escalation',
    'ce-regulator-consumer',
    'ecommerce',
    `
    卖假货还不承认，我已经打了12315
    这个事我会去市场监管局举报
    你们虚假宣传，我去消协告你们
    已经在黑猫投诉上发了，看你们怎么回应
    我去315晚会曝光你们
    再拖下去我就去市場監督管理局
    已經向消基會申訴了
    this is false advertising and i'm reporting you to trading standards
    i've filed a complaint with the consumer protection agency
    12315 已经打过了，你们看着办
  `,
  ),
  human(
    'complaint_escalation',
    'ce-media',
    'general',
    `
    我要把这件事发到微博上，让大家都看看你们是什么公司
    我认识记者，明天就让你们上新闻
    已经在小红书发了帖子，好多人评论说也被坑了
    再不给说法我就去抖音直播曝光
    我会联系电视台的帮忙栏目
    我要把聊天紀錄貼到爆料公社
    i'm going to post this everywhere and tag your ceo
    i've contacted a journalist about how you treat customers
    this is going on twitter tonight with screenshots
  `,
  ),
  human(
    'complaint_escalation',
    'ce-legal',
    'general',
    `
    我已经找了律师，准备起诉你们
    律师函下周就会寄到你们公司
    我们法庭上见
    我会申请仲裁
    这件事我要走法律程序
    不给个说法我就去法院立案
    我會請律師處理，法院見
    you'll be hearing from my lawyer
    i'm taking you to small claims court
    see you in court
  `,
  ),
  human(
    'complaint_escalation',
    'ce-healthcare-edu',
    'healthcare',
    `
    你们医院误诊，我要向卫健委投诉
    这是医疗事故，我要申请医疗鉴定
    我要向教育局举报你们机构违规收费
    培训机构跑路了，我要去教育局和派出所
    我要向衛生局投訴你們醫院
    i'm reporting this clinic to the medical board
  `,
  ),
  human(
    'complaint_escalation',
    'ce-formal-complaint',
    'travel',
    `
    我要投诉你们的导游，全程带我们购物
    我要投訴這個服務態度
    我要正式投诉，请给我一个投诉编号
    投诉你们酒店前台，态度恶劣
    这个客服我要投诉，工号多少
    i want to make a formal complaint about your staff
    i'd like to file a complaint about last night's service
  `,
  ),
  human(
    'refund_demand',
    'rd-amount-now',
    'ecommerce',
    `
    东西是坏的，必须全额退我{399|1299|2680}元，今天之内
    你们发错货害我白跑一趟，赔我{200|500}块，不然没完
    差价{三百|80}块退给我，我不要优惠券
    不管你们什么规定，这{3000|899}块钱明天之前必须回到我卡上
    要么今天退我{1580|四千五}，要么我天天打电话
    退我{四百|1000}，少一分都不行
    一件衣服洗一次就破，要求赔偿{500|两倍货款}
    商品跟描述不符，全額退我{2400|860}元，三天內
    refund my ${129 | 450} by friday or i'll dispute it with my bank
    i want my £{60|240} back today, not store credit
    give me back the ${75 | 300} you took
    i expect a full refund of ¥{1999|650} within 48 hours
  `,
  ),
  human(
    'refund_demand',
    'rd-compensation',
    'travel',
    `
    航班延误八个小时，每人至少赔{800|1500}
    酒店没有热水，要求退{一晚房费|500块}
    旅行团行程缩水，全团要求每人退{两千|1200}
    你们弄丢了我的行李，里面东西值{六千|一万}，照价赔偿
    高铁晚点误了我的会议，损失{五千|八千}你们得赔
    航班取消害我多住一晚，要賠我{800|1200}元
    the cancelled flight cost me ${400 | 900} in hotels, reimburse me this week
    compensate me {200 euros|€350} for the delay or i'll escalate
  `,
  ),
  human(
    'refund_demand',
    'rd-telecom-bank',
    'telecom',
    `
    多扣了我{128|58}元话费，三天内给我退回来
    莫名其妙扣了我{三个月|半年}的月租，全部退给我
    年费{680|300}你们必须免掉并退回
    利息算错了，多收的{1200|两千四}本周内退给我
    违约金{五百|800}我不认，月底前退回
    多扣的{88|240}元話費限你們三天內退回
    you overcharged me ${45 | 120}, i want it refunded by monday
    refund the {three months|£90} of fees you charged me for nothing
  `,
  ),
  human(
    'refund_demand',
    'rd-education-health',
    'education',
    `
    课只上了两节，剩下的{9800|一万二}必须退给我
    机构说好随时退费，现在不退，我要求本月底前退{六千|4500}
    体检套餐没做完，剩下的{800|1200}退回来
    医美项目没效果，要求退{两万|一万五}
    課程沒上完，剩下的{五千|7200}要退給我
    you owe me ${2000 | 900} for the classes you cancelled, pay by the end of the month
  `,
  ),
  human(
    'refund_demand',
    'rd-game-deadline',
    'gaming',
    `
    抽卡概率有问题，充的{六千|3280}全部退回
    封号前我充的{五千|两千}必须退我，限你们三天
    活动奖励没发，补偿我{648|328}的钻石，不然退款
    儲值了{3000|990}沒到帳，今天內退回
    refund all ${250 | 600} i spent on the broken event by friday
  `,
  ),
  human(
    'repeated_failure',
    'rf-same-issue',
    'telecom',
    `
    同一个问题我已经打了五次电话了，每次都说会处理，到现在都没人管
    这是我第三次来问了，你们到底能不能解决
    报修了一个星期，师傅约了三次都没来
    宽带断了十天，每天都说明天修，我受够了
    问了八遍了，回复都是一样的废话
    我已經反映第四次了，還是沒有下文
    this is the fourth time i've contacted you about the same issue
    i've been promised a callback three times and nobody ever calls
    for the 5th time, my internet is STILL down
  `,
  ),
  human(
    'repeated_failure',
    'rf-bot-loop',
    'general',
    `
    你这个回答我已经看了十遍了，根本没用
    别再给我发这个链接了，我说的不是这个
    你听不懂人话吗，我问的不是这个
    一直在绕圈子，你们到底有没有人能解决问题
    能不能别再让我重新描述一遍了，我说了无数次
    同樣的罐頭回覆看了好幾次了
    you keep sending me the same useless answer
    this bot has sent me in circles for an hour
    i've explained this five times already
    你们的客服就是个摆设
  `,
  ),
  human(
    'repeated_failure',
    'rf-angry',
    'ecommerce',
    `
    你们这是什么垃圾服务，气死我了，到底谁负责
    我真的要疯了，三个星期了快递还没到，每次问都说在路上
    TMD 退款退了一个月了还没到
    我已经忍了很久了，今天必须给我一个说法
    你们是不是把我当傻子
    一個月了還沒處理好，你們到底在搞什麼
    this is ridiculous, three weeks and still nothing. absolutely unacceptable
    i am beyond furious, nobody at your company has lifted a finger
    wtf is wrong with you people, this is the third replacement that arrived broken
  `,
  ),
  human(
    'repeated_failure',
    'rf-escalate',
    'banking',
    `
    我要找你们的上级，普通客服解决不了
    把你们经理叫来
    这个问题升级处理吧，别再让我等了
    工单都关了三次了问题还在，给我升级
    請幫我升級處理，找主管來
    escalate this to a supervisor please
    i want to speak to your manager
  `,
  ),
  human(
    'human_request',
    'hr-direct',
    'general',
    `
    转人工
    人工客服
    我要人工
    找个真人跟我说
    能不能让真人来回答
    人工人工人工
    別讓機器人回我，我要真人
    轉真人客服
    rengong
    zhuan ren gong
    real person please
    can i talk to a human
    agent
    speak to someone
    let me talk to an actual person
    i need a human, not a bot
    人工 please
    transfer me to a live agent
  `,
  ),
  human(
    'human_request',
    'hr-indirect',
    'general',
    `
    这个问题机器人肯定答不了，你们有没有真的工作人员
    有没有能说话的人，我不想跟程序聊
    你是机器人吧？换个人来
    请帮我接一下客服专员
    能不能打电话给我，我想跟人直接说
    我要跟人工对话，不要自动回复
    有冇真人可以同我傾
    麻煩幫我接真人
    is there anyone there who isn't automated
    can someone call me back, i'd rather talk to a person
    put me through to your support team
  `,
  ),
  bot(
    'refund_demand',
    'rdn-refund-info',
    'ecommerce',
    `
    退款多久到账
    退款一般几天能到
    退货流程是怎样的
    退款退到哪里，原路返回吗
    我申请退款了，大概什么时候到
    {七天无理由|7天无理由}退货怎么申请
    部分退款怎么算
    退货运费谁出
    退款進度在哪裡看
    退貨要自己付運費嗎
    how long does a refund take
    how do i return an item
    where can i check my refund status
    退款 how long
  `,
  ),
  bot(
    'refund_demand',
    'rdn-amount-questions',
    'ecommerce',
    `
    {399|128}元的订单退款会扣手续费吗
    买了{两件|3件}退一件，优惠怎么算
    满{300|199}减{50|30}的券退货后会退回吗
    我付了{1280|568}，用了券，退的时候退多少
    退{200|500}块以上要审核吗
    運費險能賠多少
    if i return one item from a ${100 | 59} order, how much do i get back
    is there a restocking fee on returns over $200
  `,
  ),
  bot(
    'refund_demand',
    'rdn-travel-telecom',
    'travel',
    `
    机票退票手续费怎么算
    延误多久有补偿，标准是什么
    航班延误险怎么理赔
    行李丢失赔偿标准是多少
    套餐降档怎么办理
    话费多扣了怎么查
    宽带到期不续约要收费吗
    延誤險要怎麼申請
    what's your delay compensation policy
    how do i claim for lost luggage
  `,
  ),
  bot(
    'complaint_escalation',
    'cen-channels',
    'general',
    `
    投诉电话是多少
    在哪里可以留意见反馈
    评价怎么修改
    怎么给客服打分
    你们有没有意见箱
    消费者权益日有什么活动吗
    3·15有优惠吗
    我想表扬一下昨天那个快递员，在哪里说
    有什麼管道可以反映建議
    how do i leave feedback
    where can i write a review
    i'd like to compliment one of your staff
  `,
  ),
  bot(
    'complaint_escalation',
    'cen-legal-info',
    'banking',
    `
    贷款合同纠纷一般怎么处理，我就问问
    你们的隐私政策在哪看
    用户协议里的仲裁条款是什么意思
    律师执业责任险你们有吗
    公司起诉需要哪些证明，我们是想开一张诉讼保全保函
    媒体行业可以办商务卡吗
    where can i read your terms of service
    do you offer legal expense insurance
  `,
  ),
  bot(
    'repeated_failure',
    'rfn-retry',
    'telecom',
    `
    重启了三次路由器还是慢，还有什么办法
    又忘记密码了，怎么重置
    第二次下单能用新人券吗
    再买一次能不能包邮
    app老是闪退，怎么清缓存
    为什么又要我重新登录
    每次都要输验证码，能不能记住设备
    我又来了，想问下积分怎么兑换
    又來問一下，運費怎麼算
    i restarted the router twice, still slow, what else can i try
    again, how do i update my address
  `,
  ),
  bot(
    'repeated_failure',
    'rfn-mild',
    'ecommerce',
    `
    怎么还没发货呀，帮我查查
    有点慢哦，快递到哪了
    唉，又下雨了，外卖会晚吗
    你们的新款好贵啊，有没有折扣
    好烦，忘了领券，现在还能补吗
    快遞好慢喔，可以幫我查一下嗎
    hmm my order seems slow, can you check where it is
    ugh forgot to apply my coupon, can i still use it
  `,
  ),
  bot(
    'human_request',
    'hrn-hours',
    'general',
    `
    人工客服几点上班
    人工客服电话是多少
    周末有人工客服吗
    你们是机器人还是真人
    人工服务时间是几点到几点
    客服电话周末接吗
    人工客服幾點下班
    what are your customer service hours
    is your phone support available on weekends
    are you a bot
  `,
  ),
  bot(
    'human_request',
    'hrn-words',
    'general',
    `
    人工智能产品有哪些
    人工费怎么算，安装要另外收吗
    真人秀的票怎么买
    手工的还是机器做的
    你们招客服吗
    人工湖附近有酒店吗
    what's the labour cost for installation
    do you sell ai assistants
  `,
  ),
];
