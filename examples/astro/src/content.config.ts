// The collection newsgen writes into: `newsgen generate --out src/content/pilkada-2024`.
import { defineCollection } from "astro:content";
import { glob } from "astro/loaders";
import { withoutDrafts } from "./drafts.mjs";
import { frontMatter } from "./newsgen-schema.mjs";

const pilkada = defineCollection({
  // bundle layout (<slug>/index.md + chart.svg) or flat (<slug>.md + <slug>.svg).
  loader: withoutDrafts(glob({
    pattern: "**/*.md",
    base: "./src/content/pilkada-2024",
    // The id is the article's path without index.md/.md: "pilgub-kaltim-2024". (Astro's default
    // would take the front matter's `slug`, which two folders of one site may share.)
    generateId: ({ entry }) => entry.replace(/(^|\/)index\.md$/, "").replace(/\.md$/, ""),
  })),
  schema: frontMatter,
});

export const collections = { pilkada };
