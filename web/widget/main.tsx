import { render } from 'preact';
import { htmlLang, pickLocale } from '../shared/locale.js';
import { Widget, type WidgetConfig } from './widget.js';
import css from './widget.css?inline';

/**
 * The embed: `<script src="https://kefu.example/widget.js" data-tenant="shop-zh" data-locale="zh-CN"></script>`.
 * Optional: `data-title` (panel title), `data-color` (brand colour), `data-open="true"`,
 * `data-server` (when the script is served from a CDN rather than kefu itself).
 */
function boot(script: HTMLScriptElement | null): void {
  const tenant = script?.dataset.tenant;
  if (!script || !tenant) {
    console.warn('kefu widget: add data-tenant="<tenant slug>" to the <script> tag');
    return;
  }
  if (document.querySelector(`[data-kefu-widget="${CSS.escape(tenant)}"]`)) return;
  const config: WidgetConfig = {
    baseUrl: script.dataset.server ?? new URL(script.src, location.href).origin,
    tenant,
    locale: pickLocale(script.dataset.locale),
    ...(script.dataset.title ? { title: script.dataset.title } : {}),
    open: script.dataset.open === 'true',
  };
  const host = document.createElement('div');
  host.dataset.kefuWidget = tenant;
  const shadow = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = css;
  const root = document.createElement('div');
  root.className = 'root';
  root.lang = htmlLang(config.locale);
  const color = script.dataset.color;
  if (color && /^#[0-9a-f]{3,8}$/i.test(color)) root.style.setProperty('--brand', color);
  shadow.append(style, root);
  const mount = () => {
    document.body.appendChild(host);
    render(<Widget config={config} />, root);
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
}

// currentScript is null when a tag manager defers or wraps the tag; then find it by its attribute.
boot(
  (document.currentScript as HTMLScriptElement | null) ??
    document.querySelector<HTMLScriptElement>('script[data-tenant][src*="widget.js"]'),
);
