# frozen_string_literal: true

# An article newsgen wrote stays unpublished until an editor sets `published: true`; Jekyll
# then leaves the article out, but would still copy its chart (a static file of the collection)
# to the site. This drops the charts of articles not built, so a production build publishes
# nothing of a draft. Runs for collections with `newsgen: true` in _config.yml.
# (GitHub Pages runs no plugins: there a draft's chart is public at an unlinked URL.)
Jekyll::Hooks.register :site, :post_read do |site|
  site.collections.each_value do |collection|
    next unless collection.metadata["newsgen"]

    built = collection.docs.map { |doc| File.join(collection.relative_directory, doc.data["slug"].to_s) }
    unbuilt = ->(file) { !built.include?(File.dirname(file.relative_path)) }
    collection.files.reject!(&unbuilt)
    site.static_files.reject! { |file| file.type == collection.label.to_sym && unbuilt.call(file) }
  end
end
