// Astro 5 recipe for newsgen (see README.md). Pages at /pilkada-2024/<slug>/, the URL
// newsgen's "Baca Juga" links use (config/publication.yaml link_pattern).
import { defineConfig } from "astro/config";

export default defineConfig({
  site: "https://example.org",
  trailingSlash: "always",
  build: { format: "directory" },
  // The content cache beside the site, not in node_modules (which a test shares between copies).
  cacheDir: "./.cache",
  // No dev toolbar: a reproducible offline build.
  devToolbar: { enabled: false },
});
