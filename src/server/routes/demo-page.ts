/**
 * The demo page at `/`: a made-up shop front for one demo tenant with the real widget pasted in
 * exactly as a customer of kefu would (one <script> tag), tabs for the other tenants, and links
 * to the agent console and the API reference. No fonts or CDNs: the product pictures are the
 * project's own SVG files (web/demo-images, served at /demo/images/), so they look the same on a
 * server without an emoji font; everything else is inline.
 */
export interface DemoTenantView {
  slug: string;
  name: string;
  domain: string;
}

export type DemoLanguage = 'zh-CN' | 'zh-TW' | 'en';

export interface DemoPageOptions {
  tenants: DemoTenantView[];
  selected: string | undefined;
  lang: DemoLanguage;
  /** The public origin the embed snippet names (e.g. http://127.0.0.1:3000). */
  origin: string;
  /** False when web/dist is missing: the page says how to build it. */
  assetsBuilt: boolean;
}

/** Where the static routes serve web/demo-images (src/server/routes/static.ts). */
export const DEMO_IMAGES_PATH = '/demo/images/';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const COPY = {
  'zh-CN': {
    title: 'kefu 客服 · 演示',
    intro: '这是一个虚构的店铺页面，右下角是 kefu 的客服窗口，和商家把一行 <script> 粘贴到自己网站上的效果一样。',
    try: '试试问：',
    console: '客服工作台',
    docs: 'API 文档',
    embed: '嵌入代码',
    missing: '网页资源还没有构建：请运行 npm run build:web（npm install 时会自动运行），然后刷新。',
    tenants: '演示租户',
    language: '语言',
  },
  'zh-TW': {
    title: 'kefu 客服 · 示範',
    intro: '這是一個虛構的商店頁面，右下角是 kefu 的客服視窗，和商家把一行 <script> 貼到自己網站上的效果一樣。',
    try: '試試問：',
    console: '客服工作台',
    docs: 'API 文件',
    embed: '嵌入程式碼',
    missing: '網頁資源尚未建置：請執行 npm run build:web（npm install 時會自動執行），然後重新整理。',
    tenants: '示範租戶',
    language: '語言',
  },
  en: {
    title: 'kefu · demo',
    intro:
      'A made-up shop page. The chat in the corner is the kefu widget, pasted in with one <script> tag just as a shop would.',
    try: 'Try asking:',
    console: 'Agent console',
    docs: 'API reference',
    embed: 'Embed code',
    missing: 'The web assets are not built: run npm run build:web (npm install runs it), then reload.',
    tenants: 'Demo tenants',
    language: 'Language',
  },
} as const;

const LANDING = {
  'zh-CN': { title: 'kefu 客服', running: 'kefu 正在运行。', console: '客服工作台', docs: 'API 文档' },
  'zh-TW': { title: 'kefu 客服', running: 'kefu 正在執行。', console: '客服工作台', docs: 'API 文件' },
  en: { title: 'kefu', running: 'kefu is running.', console: 'Agent console', docs: 'API reference' },
} as const;

/** The public page of a server without demo tenants: no tenant's name or slug, just where to go. */
export function renderLandingPage(lang: DemoLanguage): string {
  const copy = LANDING[lang];
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,"><title>${escape(copy.title)}</title>
<style>body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f4f5f7;color:#1d2129}main{text-align:center}a{color:#1f6feb;margin:0 .5em}</style>
</head><body><main><h1>${escape(copy.title)}</h1><p>${escape(copy.running)}</p>
<p><a href="/console">${escape(copy.console)}</a><a href="/docs">${escape(copy.docs)}</a></p></main></body></html>
`;
}

export interface Shopfront {
  color: string;
  tagline: Record<DemoLanguage, string>;
  /** `image` is a file in web/demo-images (DEMO_IMAGES), shown at /demo/images/<image>. */
  items: Array<{ image: string; name: Record<DemoLanguage, string>; price: string | Record<DemoLanguage, string> }>;
  questions: Record<DemoLanguage, string[]>;
}

/** The demo shop pages by tenant domain: what they show and the questions they suggest. */
export const SHOPFRONTS: Record<string, Shopfront> = {
  ecommerce: {
    color: '#ff6a00',
    tagline: {
      'zh-CN': '好物不贵 · 七天无理由退货 · 满 99 包邮',
      'zh-TW': '好物不貴 · 七天無理由退貨 · 滿 99 免運',
      en: 'Good things, fair prices · 7-day returns · free shipping over ¥99',
    },
    items: [
      {
        image: 'headphones.svg',
        name: { 'zh-CN': '降噪蓝牙耳机', 'zh-TW': '降噪藍牙耳機', en: 'Noise-cancelling earbuds' },
        price: '¥299',
      },
      {
        image: 'down-jacket.svg',
        name: { 'zh-CN': '轻薄羽绒服', 'zh-TW': '輕薄羽絨服', en: 'Light down jacket' },
        price: '¥459',
      },
      {
        image: 'coffee-set.svg',
        name: { 'zh-CN': '手冲咖啡套装', 'zh-TW': '手沖咖啡套組', en: 'Pour-over coffee set' },
        price: '¥168',
      },
      {
        image: 'backpack.svg',
        name: { 'zh-CN': '通勤双肩包', 'zh-TW': '通勤雙肩包', en: 'Commuter backpack' },
        price: '¥219',
      },
    ],
    questions: {
      'zh-CN': ['运费怎么算？', '七天无理由退货怎么申请？', '我的订单到哪了', '我要投诉，转人工'],
      'zh-TW': ['運費怎麼算？', '七天無理由退貨怎麼申請？', '我的訂單到哪了', '我要投訴，轉真人'],
      en: ['How is shipping charged?', 'How do I return an item?', 'Where is my order?', 'I want to talk to a person'],
    },
  },
  finance: {
    color: '#0f9d58',
    tagline: {
      'zh-CN': '青禾信用卡 · 账单分期低至 0.65%/期',
      'zh-TW': '青禾信用卡 · 帳單分期低至 0.65%/期',
      en: 'Qinghe credit cards · instalments from 0.65% per month',
    },
    items: [
      {
        image: 'card-platinum.svg',
        name: { 'zh-CN': '青禾白金卡', 'zh-TW': '青禾白金卡', en: 'Qinghe Platinum' },
        price: { 'zh-CN': '免年费', 'zh-TW': '免年費', en: 'No annual fee' },
      },
      {
        image: 'card-travel.svg',
        name: { 'zh-CN': '青禾旅行卡', 'zh-TW': '青禾旅行卡', en: 'Qinghe Travel' },
        price: { 'zh-CN': '里程 1:1', 'zh-TW': '里程 1:1', en: '1:1 air miles' },
      },
      {
        image: 'instalments.svg',
        name: { 'zh-CN': '账单分期', 'zh-TW': '帳單分期', en: 'Bill instalments' },
        price: { 'zh-CN': '3–24 期', 'zh-TW': '3–24 期', en: '3 to 24 months' },
      },
    ],
    questions: {
      'zh-CN': ['分期手续费怎么算？', '一万二分12期每期还多少', '年费怎么免', '我要投诉'],
      'zh-TW': ['分期手續費怎麼算？', '一萬二分12期每期還多少', '年費怎麼免', '我要投訴'],
      en: ['How are instalment fees calculated?', 'How do I get the annual fee waived?', 'I want to complain'],
    },
  },
  travel: {
    color: '#1f6feb',
    tagline: {
      'zh-CN': '云途旅行 · 机票 酒店 火车票 · 机+酒套餐更省',
      'zh-TW': '雲途旅行 · 機票 飯店 火車票 · 機+酒套餐更省',
      en: 'Yuntu Travel · flights, hotels, trains · save with flight + hotel',
    },
    items: [
      {
        image: 'flight.svg',
        name: { 'zh-CN': '上海 → 三亚 机票', 'zh-TW': '上海 → 三亞 機票', en: 'Shanghai → Sanya flight' },
        price: '¥780',
      },
      {
        image: 'hotel.svg',
        name: { 'zh-CN': '三亚海景酒店', 'zh-TW': '三亞海景飯店', en: 'Sanya sea-view hotel' },
        price: { 'zh-CN': '¥520/晚', 'zh-TW': '¥520/晚', en: '¥520 a night' },
      },
      {
        image: 'flight-hotel.svg',
        name: { 'zh-CN': '机+酒 4 天 3 晚', 'zh-TW': '機+酒 4 天 3 晚', en: 'Flight + hotel, 4 days' },
        price: '¥2,199',
      },
    ],
    questions: {
      'zh-CN': ['坐飞机能带多少行李？', '酒店订单可以取消吗？', '机+酒套餐包含什么？', '我要投诉，转人工'],
      'zh-TW': ['坐飛機能帶多少行李？', '飯店訂單可以取消嗎？', '機+酒套餐包含什麼？', '我要投訴，轉真人'],
      en: [
        'How much baggage can I check in?',
        'Can I cancel my hotel booking?',
        'What does the flight and hotel package include?',
        'I want to talk to a person',
      ],
    },
  },
};

const FALLBACK: Shopfront = {
  color: '#1f6feb',
  tagline: { 'zh-CN': '欢迎光临', 'zh-TW': '歡迎光臨', en: 'Welcome' },
  items: [],
  questions: { 'zh-CN': ['你好', '转人工'], 'zh-TW': ['你好', '轉真人'], en: ['Hello', 'I want to talk to a person'] },
};

export function renderDemoPage(options: DemoPageOptions): string {
  const { tenants, lang, origin } = options;
  const copy = COPY[lang];
  const tenant =
    tenants.find((entry) => entry.slug === options.selected) ??
    tenants.find((entry) => entry.slug === 'shop-zh') ??
    tenants[0];
  const front = (tenant && SHOPFRONTS[tenant.domain]) ?? FALLBACK;
  const query = (slug: string, language: DemoLanguage) => `/?tenant=${encodeURIComponent(slug)}&amp;lang=${language}`;
  const tabs = tenants
    .map(
      (entry) =>
        `<a href="${query(entry.slug, lang)}"${entry === tenant ? ' aria-current="page"' : ''}>${escape(entry.name)} <small>${escape(entry.slug)}</small></a>`,
    )
    .join('');
  const languages = (['zh-CN', 'zh-TW', 'en'] as const)
    .map(
      (language) =>
        `<a href="${tenant ? query(tenant.slug, language) : `/?lang=${language}`}" lang="${language}"${language === lang ? ' aria-current="true"' : ''}>${language === 'zh-CN' ? '简体' : language === 'zh-TW' ? '繁體' : 'English'}</a>`,
    )
    .join('');
  const items = front.items
    .map(
      (item) =>
        `<li class="item"><div class="pic"><img src="${DEMO_IMAGES_PATH}${escape(item.image)}" alt="" width="96" height="96"></div><h3>${escape(item.name[lang])}</h3><p class="price">${escape(typeof item.price === 'string' ? item.price : item.price[lang])}</p></li>`,
    )
    .join('');
  const questions = front.questions[lang].map((question) => `<li><q>${escape(question)}</q></li>`).join('');
  const snippet = tenant
    ? `<script src="${escape(origin)}/widget.js" data-tenant="${escape(tenant.slug)}" data-locale="${lang}"></script>`
    : '';
  const widget =
    tenant && options.assetsBuilt
      ? `<script src="/widget.js" data-tenant="${escape(tenant.slug)}" data-locale="${lang}" data-title="${escape(tenant.name)}" data-color="${front.color}"></script>`
      : '';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,">
<title>${escape(tenant ? `${tenant.name} · ${copy.title}` : copy.title)}</title>
<style>
body{font-family:system-ui,-apple-system,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0;background:#f4f5f7;color:#1d2129}
a{color:#0e42d2}
.bar{display:flex;flex-wrap:wrap;gap:12px;align-items:center;justify-content:space-between;padding:8px 20px;background:#1d2129;color:#c9cdd4;font-size:13px}
.bar a{color:#e5e6eb;text-decoration:none;padding:4px 8px;border-radius:6px}.bar a[aria-current]{background:#4e5969;color:#fff}
.bar nav{display:flex;gap:4px;align-items:center;flex-wrap:wrap}
.shop{background:${front.color};color:#fff;padding:28px 20px}.shop h1{margin:0 0 6px;font-size:28px}.shop p{margin:0;opacity:.95}
main{max-width:980px;margin:0 auto;padding:20px}
.items{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:16px}
.item{background:#fff;border-radius:12px;padding:16px;box-shadow:0 1px 3px #0001}.pic{display:flex;justify-content:center;background:#f7f8fa;border-radius:8px;padding:12px 0}.pic img{display:block;width:96px;height:96px}
.item h3{margin:10px 0 4px;font-size:16px}.price{margin:0;color:${front.color};font-weight:700}
.notes{background:#fff;border-radius:12px;padding:16px 20px;margin-top:20px}
pre{background:#1d2129;color:#e5e6eb;padding:12px;border-radius:8px;overflow:auto;font-size:12px}
.missing{background:#ffece8;color:#cb2634;padding:12px 20px;font-weight:600}
</style></head><body>
<div class="bar"><nav aria-label="${escape(copy.tenants)}">${tabs}</nav>
<nav aria-label="${escape(copy.language)}">${languages} · <a href="/console">${escape(copy.console)}</a> <a href="/docs">${escape(copy.docs)}</a></nav></div>
${options.assetsBuilt ? '' : `<p class="missing" role="alert">${escape(copy.missing)}</p>`}
<header class="shop"><h1>${escape(tenant?.name ?? 'kefu')}</h1><p>${escape(front.tagline[lang])}</p></header>
<main>
<ul class="items">${items}</ul>
<section class="notes"><p>${escape(copy.intro)}</p><p>${escape(copy.try)}</p><ul>${questions}</ul>
${snippet ? `<h2>${escape(copy.embed)}</h2><pre><code>${escape(snippet)}</code></pre>` : ''}
<p><a href="/console">${escape(copy.console)} → /console</a> · <a href="/docs">${escape(copy.docs)} → /docs</a></p></section>
</main>
${widget}
</body></html>`;
}

/** Picks the page language from `?lang=`, else Accept-Language, else Simplified Chinese. */
export function demoLanguage(query: string | undefined, acceptLanguage: string | undefined): DemoLanguage {
  for (const tag of [query, ...(acceptLanguage ?? '').split(',').map((part) => part.split(';')[0].trim())]) {
    if (!tag) continue;
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return /hant|tw|hk|mo/.test(lower) ? 'zh-TW' : 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}
