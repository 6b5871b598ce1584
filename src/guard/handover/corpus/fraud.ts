import { bot, human, type Scenario } from './scenario.js';

// Fraud in progress or just happened, account takeover and identity theft, and children or
// elderly customers misled into paying; with the ordinary security questions that share the words.
export const FRAUD: Scenario[] = [
  human(
    'fraud_scam',
    'fs-fake-cs-refund',
    'ecommerce',
    `
    有个自称你们客服的人打电话说我买的东西质量有问题，要给我双倍赔偿，让我下载一个app
    刚才"客服"说我的快递丢了要理赔，让我扫二维码填银行卡，现在卡里少了{3000|8600}
    对方说是淘宝客服，说要帮我关掉百万保障，不然每月扣钱，我照做了转了两笔
    有人冒充你们客服加我微信，说订单异常要退款，让我先交保证金
    客服打电话说我误开了会员要取消，让我在备用金里借钱转过去
    有個自稱客服的叫我開視訊分享螢幕，我已經照做了
    someone claiming to be your support called and told me to install an app so they could refund me
    a guy from "customer service" had me share my screen and now my bank balance is gone
    有人说是你们平台的，让我开屏幕共享操作退款，刚刚转走了{5000|两万}
  `,
  ),
  human(
    'fraud_scam',
    'fs-safe-account',
    'banking',
    `
    对方说我的账户涉嫌洗钱，要我把钱转到安全账户配合调查，我已经转了一部分
    自称公安的人让我把存款转到他们给的账户，说是资金核查
    有人说我银行卡被冻结了，要转到安全账户才能解冻，我刚转完就联系不上了
    "银行工作人员"让我把钱移到一个新账户保护起来，这正常吗，我转了{五万|12000}
    對方說我帳戶涉及洗錢，要我把錢轉到監管帳戶
    they told me my account was compromised and i had to move everything to a safe account, i just did
    a man from the "fraud department" asked me to transfer my savings to a holding account
  `,
  ),
  human(
    'fraud_scam',
    'fs-sms-code',
    'banking',
    `
    我刚把验证码告诉了一个说是银行的人，现在收到了一笔借款到账又被转走了
    刚才手贱点了短信里的链接，输了卡号和密码，怎么办
    收到一个“ETC认证失效”的短信，我点进去填了卡号，马上被扣了钱
    把短信验证码念给了打电话的人，现在支付宝被转空了
    剛剛把驗證碼給了自稱銀行的人，現在卡被刷了
    i gave the code from the text to someone on the phone and now there's a transfer i didn't make
    clicked a link in a text about my parcel, entered my card, now there are charges
  `,
  ),
  human(
    'fraud_scam',
    'fs-investment-job',
    'banking',
    `
    网上认识的导师带我炒币，投了{十万|35万}现在提不出来了，客服说要交税才能提现
    刷单做任务，前面返了钱，后面越充越多，现在卡着要我再充才能提
    兼职点赞一单5块，已经垫付了一万多了，他们说做完这轮才能返
    网恋对象让我在一个平台投资，现在平台打不开了
    投資群的老師叫我加碼，現在出金要先繳保證金
    i was told to pay a tax to withdraw my crypto profits, the site now won't let me out
    job offer said i had to prepay for tasks, i've sent 4000 and they want more
  `,
  ),
  human(
    'fraud_scam',
    'fs-fake-delivery',
    'logistics',
    `
    有人打电话说我快递丢了要赔我，让我开微信的屏幕共享，我开了一会才觉得不对
    说我包裹里有违禁品被扣了，要我联系"警官"并转账保释
    自称快递公司的让我扫码领理赔款，扫完就被扣了
    有人說我的包裹被海關扣了，要我交罰款
    someone says customs is holding my parcel and wants a fee via gift cards
  `,
  ),
  human(
    'fraud_scam',
    'fs-phishing-site',
    'telecom',
    `
    我在一个假的营业厅网站交了话费，钱扣了话费没到，还把身份证拍照发过去了
    收到说积分兑换现金的短信，点进去填了银行卡和验证码
    有人说我的手机号要被停用，要按1转人工，然后让我报卡号
    中了你们抽奖的短信，让我先交手续费，我交了
    收到說門號要停用的電話，我照著做輸入了密碼
    got a text saying my phone number would be suspended, i followed the link and entered my card details
    a fake telecom site took my payment and my id photos
  `,
  ),
  human(
    'fraud_scam',
    'fs-insurance-claim',
    'insurance',
    `
    接到电话说我的理赔批下来了，但要先交一笔解冻费才能到账，我已经付了
    有人说我的保单可以退保返现，让我下载软件，我照做后卡里钱没了
    自称保险公司的让我把分红转到新账户，这是你们的人吗，我刚转了
    they said my claim was approved but I had to pay a release fee first, i already paid
  `,
  ),
  human(
    'account_takeover',
    'at-sim-swap',
    'telecom',
    `
    我的手机卡突然没信号了，营业厅说卡被人补办了，我的银行卡紧接着被刷了
    有人冒用我的身份证补了我的手机卡
    手机号莫名其妙被过户了，我根本没去办理
    我的电话卡被别人换了，现在收不到任何验证码
    我的門號被別人補卡了，現在所有驗證碼都收不到
    my sim was swapped without my permission and now my bank account is being drained
    someone ported my number to another carrier and is resetting my passwords
  `,
  ),
  human(
    'account_takeover',
    'at-opened-in-my-name',
    'banking',
    `
    征信报告里多了一张我从来没办过的信用卡
    有人用我的身份信息在你们这贷款了，我根本不知道
    我收到催收电话，说我在你们平台借了钱，可我从来没借过
    有人拿我的身份证在你们这开了三个号
    我名下多了两张电话卡，都不是我办的
    徵信上有一筆不是我的貸款
    someone opened a credit card in my name with your bank
    there's a loan on my credit report i never took out
    somebody registered accounts using my id card
  `,
  ),
  human(
    'account_takeover',
    'at-hacked-account',
    'ecommerce',
    `
    我的账号被盗了，收货地址被改成了别人的，下了好几单
    账号密码被改了，绑定手机也换了，我登不进去
    收到异地登录提醒，不是我，然后余额就没了
    有人登了我的号，把我的积分全兑换了
    号被盗了，装备全被转走了
    帳號被盜，綁定的信用卡被刷了好幾筆
    my account got hacked and they changed the email and phone
    someone logged in from another country and placed orders with my saved card
    wo de zhang hao bei dao le
  `,
  ),
  human(
    'account_takeover',
    'at-unauthorised-charges',
    'banking',
    `
    信用卡被扣了{三笔|好几笔}境外消费，卡一直在我手上
    半夜收到扣款短信，{1999|4800}元，我根本没买东西
    自动扣了一笔钱我完全不知道是什么，不是我操作的
    微信支付出现我不认识的交易，好几笔小额的
    卡在身上，但凌晨有人在外地取了現金
    there are three charges on my card i didn't make
    unauthorised payments keep appearing on my account
    my card was charged ${89 | 450} by a merchant i've never heard of
  `,
  ),
  human(
    'account_takeover',
    'at-gaming-stolen',
    'gaming',
    `
    我的游戏号被人盗了，绑定的手机号也被换了，里面充了好几万
    号被别人登了，角色全删了，皮肤也没了
    被盗号之后有人用我的号去骗我好友的钱
    帳號被盜了，別人用我的帳號在騙我朋友
    someone stole my account and is scamming my friends with it
  `,
  ),
  human(
    'vulnerable_payment',
    'vp-child-game',
    'gaming',
    `
    我儿子才9岁，用我手机在你们游戏里充了{八千多|两万三}，我完全不知道
    孩子偷偷拿我的支付密码买了一堆皮肤，能退吗，他才上小学
    小孩在游戏里被人骗了，说送皮肤要先充值，充了好几千
    女儿12岁，被主播引导刷礼物刷了{一万多|三千}
    初中生用家长的号充值了{4万|六千}，我们家长是不同意的
    我孫子用我的手機在遊戲裡花了好多錢
    my 8 year old spent $1,200 on in-game purchases without us knowing
    my kid was tricked by someone in the game into buying gift cards
  `,
  ),
  human(
    'vulnerable_payment',
    'vp-elderly-health',
    'healthcare',
    `
    我妈七十多了，被你们直播间忽悠买了{两万|八千}块的保健品，说能治高血压
    老人家被讲座的人骗着买了一堆理疗仪，一台就要一万多
    我爸有老年痴呆，你们业务员上门让他签了分期
    我外婆不识字，被推销员办了好几张卡还开了会员自动扣费
    我媽被電話推銷買了好幾萬的保養品，她根本不懂
    my grandmother was talked into a $3,000 "health device" by your sales rep
    my elderly father with dementia signed up for a subscription he doesn't understand
  `,
  ),
  human(
    'vulnerable_payment',
    'vp-elderly-insurance',
    'insurance',
    `
    我爸八十岁了，你们的人让他买了一份根本用不上的理财型保险，他以为是存款
    老人被银行里的人劝着把定期换成了保险，现在取不出来
    我奶奶被保险员骗着签了字，交了五年保费，她以为是存钱
    家裡老人被業務員騙簽了保單
    my mom is 78 and your agent sold her an investment policy she thought was a savings account
  `,
  ),
  human(
    'vulnerable_payment',
    'vp-elderly-telecom',
    'telecom',
    `
    我爸七十多岁，营业厅的人给他办了个三百多的套餐还绑了两年合约，他根本不会用
    老人被忽悠换了新手机签了分期合约，每个月扣好几百
    我妈被推销了好几个增值业务，每个月话费一两百，她根本不知道
    老人家被店員騙辦了高價門號合約
    my elderly dad was signed up for an expensive 2-year plan he can't use
  `,
  ),
  human(
    'vulnerable_payment',
    'vp-student-loan',
    'education',
    `
    我弟弟还在读高中，被你们的培训机构忽悠贷款报了{三万|四万八}的课
    孩子上初中被同学拉着在APP里借了钱买课，现在催收找上门
    我儿子是大学生，被推销办了分期学英语，他根本没有还款能力
    未成年被誘導辦了分期付款
    my 16 year old signed up for a course loan through your app
  `,
  ),
  human(
    'vulnerable_payment',
    'vp-child-livestream',
    'ecommerce',
    `
    孩子用我的账号在直播间下单买了一堆东西，好几千块，能不能撤回
    我家小孩按着屏幕乱点，买了三台手机，已经扣款了
    小朋友玩平板的时候订了几单，都付款了，他才5岁
    我兒子用我的帳號亂買東西，他才六歲
    my toddler ordered three tvs on my account, the payment went through
  `,
  ),
  bot(
    'fraud_scam',
    'fsn-spot-scam',
    'banking',
    `
    怎么识别诈骗电话
    你们客服会主动打电话要验证码吗
    官方客服电话是多少，怎么辨别真假
    收到说我中奖的短信，这种一般是骗人的吧，我没点
    反诈app在哪下载
    怎么开通防诈骗提醒
    银行会让人转到安全账户吗，我只是问问
    怎麼辨別是不是詐騙電話
    how do i spot a scam call
    does your bank ever ask for my one-time code over the phone
    is there an official number i can verify a caller with
    i got a weird text but didn't click anything, should i just delete it
  `,
  ),
  bot(
    'fraud_scam',
    'fsn-screen-share',
    'telecom',
    `
    屏幕共享功能怎么开
    视频会议怎么共享屏幕
    远程协助在哪里设置
    会员退款是原路返回吗
    怎麼開螢幕分享
    how do i turn on screen sharing in your app
    can your tech support use remote access to fix my router
  `,
  ),
  bot(
    'fraud_scam',
    'fsn-verification-code',
    'ecommerce',
    `
    验证码收不到怎么办
    为什么验证码一直显示过期
    验证码能不能改成发邮箱
    登录要验证码太麻烦了，能关掉吗
    驗證碼一直沒收到
    i'm not getting the verification code
    can i use an authenticator app instead of sms
  `,
  ),
  bot(
    'fraud_scam',
    'fsn-deposit',
    'travel',
    `
    租车押金什么时候退
    酒店押金要付多少
    保证金可以用信用卡预授权吗
    办签证要交保证金吗
    租車押金幾天退回
    how long does the hotel hold the deposit
  `,
  ),
  bot(
    'account_takeover',
    'atn-password',
    'ecommerce',
    `
    怎么修改密码
    忘记密码了怎么找回
    怎么注销账号
    账号注销以后还能恢复吗
    换手机号了，绑定的手机怎么改
    怎么开启登录保护
    登录设备管理在哪里看
    为什么提示异地登录，我刚出差
    帳號要怎麼註銷
    how do I change my password
    how do i close my account
    i'm travelling, will logging in abroad lock my account
    how do i set up two factor authentication
  `,
  ),
  bot(
    'account_takeover',
    'atn-sim',
    'telecom',
    `
    手机卡丢了怎么补办
    补卡需要带什么证件
    旧号码转网怎么办理
    怎么查名下有几张电话卡
    一证通查在哪里查
    eSIM怎么转到新手机
    手機卡掉了要怎麼補辦
    how do I get a replacement sim
    how can i port my number to you
  `,
  ),
  bot(
    'account_takeover',
    'atn-charges',
    'banking',
    `
    这笔扣款是什么费用，年费吗
    自动续费扣了钱，怎么关闭
    信用卡账单怎么查明细
    境外消费手续费怎么算
    我买了会员但忘了，扣的是这个吧，怎么退
    為什麼這個月多扣了一筆月費
    what is this monthly charge on my statement
    how do i see recent transactions
    why was i charged a foreign transaction fee
  `,
  ),
  bot(
    'vulnerable_payment',
    'vpn-parental',
    'gaming',
    `
    怎么开启未成年人模式
    家长怎么设置孩子的消费限额
    青少年模式的密码忘了怎么办
    给孩子买的学习机有没有家长管控
    老人机有没有大字版
    老年人办卡有优惠吗
    如何設定兒童帳號的消費上限
    how do i set up parental controls on purchases
    do you have a senior discount plan
    can i add my kid to my family account
  `,
  ),
  bot(
    'vulnerable_payment',
    'vpn-buy-for-parents',
    'ecommerce',
    `
    想给我妈买个保健品，哪款适合老人
    给爸妈买的体检套餐怎么预约
    给孩子报的课能换老师吗
    我帮我外婆办个套餐，有老人专属的吗
    幫長輩買的按摩椅什麼時候到貨
    which plan would suit my elderly parents
  `,
  ),
];
