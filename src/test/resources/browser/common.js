// Shared by the SDK pages: the page's parameters, and a way to tell the driver the page has done its part.
export const params = new URLSearchParams(location.search);
export const catchment = params.get('catchment'); // e.g. http://127.0.0.1:41234 (another origin than this page)
export const key = params.get('key');
export const run = params.get('run') || 'r';
export const nested = {
  order: { id: 'o-' + run, total: 20.5, items: [{ sku: 'A1', qty: 2 }, { sku: 'B2', qty: 1 }],
    shipping: { address: { city: 'Zürich', geo: { lat: 47.37, lng: 8.54 } } } },
  note: 'line1\r\nline2 🚀',
  coupon: null,
  first: true,
};
export function done(value) {
  window.__catchment = value === undefined ? 'done' : value;
}
