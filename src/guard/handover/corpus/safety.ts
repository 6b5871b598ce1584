import { bot, human, type Scenario } from './scenario.js';

// Threats of violence (against staff, couriers, other people) and emergencies or product safety
// (fire, injury, food poisoning, a device that burns), with the look-alikes.
export const SAFETY: Scenario[] = [
  human(
    'violence_threat',
    'vt-courier',
    'logistics',
    `
    那个快递员再敢把我东西乱扔，我见他一次打他一次
    明天他再来送件我就拿刀等着他
    快递员态度这么差，我知道他住哪，我会去找他算账的
    告诉那个送货的，下次见面我弄死他
    我已经记下那个骑手的车牌了，让他小心点
    那個外送員再遲到我就揍他
    tell your driver if he throws my parcel again i'll break his legs
  `,
  ),
  human(
    'violence_threat',
    'vt-store-staff',
    'ecommerce',
    `
    你们门店那个店员再这样对我，我就带人去砸了你们的店
    我现在就去你们门店，今天不给我退我就动手了
    我知道你们公司在哪，信不信我带汽油过去
    再不退钱我就去你们公司门口放火
    你们总部的地址我查到了，明天我带家伙过去
    我會去你們店裡，讓你們知道後果
    I'm coming to your store tomorrow and someone is going to get hurt
    give me my money back or i'll burn the place down
    老子今天就去你们营业厅，不给说法就别怪我不客气，出了人命你们负责
  `,
  ),
  human(
    'violence_threat',
    'vt-agent-threat',
    'telecom',
    `
    你叫什么名字，工号多少，我找人在下班路上等你
    我知道你们客服中心在哪，你们一个都跑不掉
    你再敷衍我，我让你全家都不得安宁
    信不信我找到你，让你后悔接这个电话
    你給我等著，我會找到你的
    i know where your call centre is. watch your back
    i will find you and you will regret this
    ni deng zhe, wo hui zhao dao ni de
  `,
  ),
  human(
    'violence_threat',
    'vt-harm-others',
    'general',
    `
    我邻居天天吵，我买了你们的刀就是要去收拾他
    我要去学校门口堵那个人，买的东西什么时候到
    这事不解决我就跟他同归于尽
    我要让那个骗我钱的人付出代价，已经准备好了
    房东不退押金，我今晚就去他家，会发生什么我不保证
    我要報復那個人，你們別管
    i'm going to hurt my ex, he deserves it, where's my order
    if my landlord doesn't return the deposit tonight i'm going over there with a bat
  `,
  ),
  human(
    'violence_threat',
    'vt-bomb-hoax',
    'travel',
    `
    再不给我改签，我就说我行李里有炸弹
    你们的航班上有人要搞事情，我听到他们在说炸飞机
    我在你们酒店的大堂放了东西，一个小时后你们就知道了
    我要炸了你们营业厅
    there's a bomb on flight 302, i'm not kidding
    我聽到隔壁座位的人說要在車上動手
  `,
  ),
  human(
    'violence_threat',
    'vt-domestic',
    'banking',
    `
    我老公喝醉了在打我，他拿着我的银行卡，我该怎么办
    前夫一直跟踪我，他说要杀了我，他知道我在你们这里开的户
    他威胁说要是我不转钱就要对孩子动手
    我被家暴了，钱都被他控制，能不能冻结我们的联名账户
    my husband hits me and takes my card, i need help
    he threatened to kill me if i don't send the money
  `,
  ),
  human(
    'emergency_safety',
    'em-battery-fire',
    'ecommerce',
    `
    你们卖的充电宝在包里自燃了，差点把房子点了
    买的电暖器冒烟起火了，地板烧黑了一块
    充电的时候手机爆炸了，我手被炸伤了
    平衡车充着电突然着火，孩子吓坏了
    電動牙刷充電時冒煙還燒焦了
    the power bank you sold me caught fire on my bed
    my laptop charger exploded and burned my hand
    电池鼓包发烫还有焦糊味，现在在冒烟怎么办
  `,
  ),
  human(
    'emergency_safety',
    'em-food-poisoning',
    'food',
    `
    吃了你们家的外卖一家三口都上吐下泻，孩子在发烧
    你们的罐头里吃出了异物，我老公吃完肚子剧痛去了医院
    在你们餐厅吃完饭，五个同事都食物中毒了
    吃完你们的生鱼片全身起疹子，喉咙发紧
    买的奶粉宝宝喝了以后一直吐还拉肚子，现在在儿童医院
    吃了你們的便當全家拉肚子，現在在急診
    everyone who ate the chicken from your shop got food poisoning
    my son has a severe allergic reaction after eating your snack, it said nut free
    外卖里吃出玻璃渣，嘴巴划破了在流血
  `,
  ),
  human(
    'emergency_safety',
    'em-injury-product',
    'ecommerce',
    `
    你们的婴儿床栏杆断了，孩子摔下来头磕破了
    跑步机突然加速，我妈摔倒了，腿可能骨折了
    买的热水壶底部漏电，我被电了一下，现在手还麻
    座椅螺丝掉了，老人摔了起不来
    你們的兒童座椅扣環斷了，小孩受傷了
    the treadmill threw my dad off, he's bleeding from the head
    the crib rail snapped and my baby fell
  `,
  ),
  human(
    'emergency_safety',
    'em-gas-utility',
    'utilities',
    `
    家里燃气味道很大，阀门关不上
    楼道里有很重的煤气味，我该怎么办
    电表箱在冒火花，滋滋响
    停水停电三天了，家里有透析病人，机器不能停
    家裡瓦斯味很重，關不掉
    strong smell of gas in my kitchen, what do i do
    sparks coming out of the meter box
    暖气片爆了，热水喷了一屋，老人被烫伤了
  `,
  ),
  human(
    'emergency_safety',
    'em-travel-stranded',
    'travel',
    `
    我在山里迷路了，手机只剩5%的电，向导不见了
    我们的大巴在高速上翻了，有人受伤
    酒店着火了，我们被困在十二楼
    在机场被一群人围住要钱，我很害怕
    邮轮上我女儿不见了，找了一个小时
    我們被困在電梯裡快一個小時了，裡面有小孩
    stuck in the hotel lift with my kid for an hour, nobody answers the alarm
    our tour bus crashed, people are hurt
    the guide left us in the desert and it's getting dark
  `,
  ),
  human(
    'emergency_safety',
    'em-medical-now',
    'healthcare',
    `
    我爸突然说不出话，半边身子动不了
    孩子高烧抽搐，叫不醒
    我刚在你们药房买的药吃了以后喘不上气
    打完疫苗起了一身疹子，呼吸有点困难
    老人摔倒了，头在流血，人有点迷糊
    我老婆要生了，羊水破了，附近哪家医院
    my dad collapsed and isn't responding
    i'm having chest pain and my arm is numb
    孩子誤吞了電池
    宝宝把你们的磁力珠吞下去了
  `,
  ),
  human(
    'emergency_safety',
    'em-car-accident',
    'insurance',
    `
    刚出车祸了，对方车里有人流血，我现在怎么办
    车在高速上撞了护栏，人卡在里面出不来
    我被车撞了，司机跑了，腿动不了
    出了車禍，有人受傷，保險怎麼報
    just had a car accident, the other driver is injured
    车子在隧道里起火了
  `,
  ),
  bot(
    'violence_threat',
    'vtn-kill-words',
    'gaming',
    `
    击杀奖励怎么领
    这个刺客的技能怎么加点
    怎么一刀秒boss
    pvp被杀掉落装备吗
    how do i unlock the assassin skin
    kill streak rewards not showing
    the new weapon is OP, where can i buy it
    我要打爆这个副本，组队怎么开
  `,
  ),
  bot(
    'violence_threat',
    'vtn-knives',
    'ecommerce',
    `
    你们的菜刀是什么钢，能开刃吗
    水果刀可以寄快递吗
    防身喷雾能买吗，算违禁品吗
    刀具可以带上飞机吗
    露營用的斧頭有賣嗎
    can i ship kitchen knives to hong kong
    do you sell self defence spray
  `,
  ),
  bot(
    'violence_threat',
    'vtn-figurative',
    'general',
    `
    这价格简直是在抢钱哈哈，有没有优惠券
    这个颜色杀疯了，还有货吗
    你们这个活动炸了，服务器进不去
    手机信号差到想砸了它，能不能帮我查下基站
    爆款的链接在哪
    我要炸鸡和可乐，外卖能到吗
    this deal is a steal, is it still on
    the app keeps crashing, it's driving me nuts
  `,
  ),
  bot(
    'emergency_safety',
    'emn-fire-info',
    'insurance',
    `
    家财险包括火灾吗
    充电宝可以带上飞机吗，多少毫安以内
    锂电池过安检有什么要求
    灭火器你们有卖吗，适合家用的是哪种
    燃气报警器怎么安装
    你们的电暖器有防倾倒断电吗
    does home insurance cover fire damage
    what's the battery limit for carry-on
    煙霧偵測器多久要換電池
  `,
  ),
  bot(
    'emergency_safety',
    'emn-health-general',
    'healthcare',
    `
    食物中毒险怎么买
    急诊挂号要带什么
    孩子发烧38度可以吃什么药
    救护车费用医保能报吗
    体检报告什么时候出
    过敏体质能打这个疫苗吗
    明天门诊几点开
    is the ER open on weekends
    how much does an ambulance ride cost with your plan
    我媽下週要住院，陪護床要怎麼申請
  `,
  ),
  bot(
    'emergency_safety',
    'emn-travel-general',
    'travel',
    `
    台风天航班会取消吗，怎么退
    下雪了高铁会晚点吗
    地震险保不保境外
    护照快过期了还能出国吗
    紧急联系人在哪改
    电梯维修通知什么时候结束
    the flight was delayed because of a storm, can i rebook for free
    how do i update my emergency contact
  `,
  ),
  bot(
    'emergency_safety',
    'emn-recall',
    'ecommerce',
    `
    你们的充电器是不是在召回名单里，型号怎么查
    产品有3C认证吗
    婴儿床的安装说明书在哪下载
    电热毯可以机洗吗
    这个奶粉有没有检测报告
    is this heater tip-over safe
    where can I download the safety manual
  `,
  ),
];
