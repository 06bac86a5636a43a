// Drafts are in the collection only when NEWSGEN_DRAFTS=1 (`npm run build:drafts`): newsgen
// writes every article with `draft: true` and an editor publishes it with `draft: false`.
// Astro 5 has no draft setting of its own, and filtering in getCollection() is not enough: the
// images of every entry stored in a collection are built, so drafts' charts would be published.
// So in a production build the loader never stores a draft.
export const showDrafts = process.env.NEWSGEN_DRAFTS === "1";

export function withoutDrafts(loader) {
  if (showDrafts) return loader;
  return {
    name: `${loader.name}-without-drafts`,
    load: async (context) => {
      // Start empty: an entry kept from an earlier build with drafts must not come back from the cache.
      context.store.clear();
      const store = new Proxy(context.store, {
        get(target, key) {
          if (key === "set") return (entry) => entry.data?.draft === false && target.set(entry);
          const value = Reflect.get(target, key, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
      await loader.load({ ...context, store });
    },
  };
}
