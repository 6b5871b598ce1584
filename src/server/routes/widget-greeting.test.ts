import { describe, expect, it } from 'vitest';
import { widgetGreeting } from './widget-greeting.js';

const shop = {
  name: '小满优品',
  locale: 'zh-CN',
  settings: { messages: { greeting: '您好，欢迎来到小满优品～请问有什么可以帮您？' } },
};

describe('widgetGreeting', () => {
  it("shows the tenant's greeting in the widget's script", () => {
    expect(widgetGreeting(shop, 'zh-CN')).toBe('您好，欢迎来到小满优品～请问有什么可以帮您？');
    expect(widgetGreeting(shop, 'zh-TW')).toBe('您好，歡迎來到小滿優品～請問有什麼可以幫您？');
    expect(widgetGreeting(shop)).toBe('您好，欢迎来到小满优品～请问有什么可以帮您？');
  });

  it('welcomes an English widget in English, and a tenant without a greeting with a default', () => {
    expect(widgetGreeting(shop, 'en')).toBe('Hello, welcome to 小满优品. How can I help you?');
    expect(widgetGreeting({ ...shop, settings: {} }, 'zh-CN')).toBe('您好，欢迎来到小满优品，请问有什么可以帮您？');
    expect(
      widgetGreeting({ name: 'Acme', locale: 'en-US', settings: { messages: { greeting: 'Hi there!' } } }, 'en'),
    ).toBe('Hi there!');
  });
});
