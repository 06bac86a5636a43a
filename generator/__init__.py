"""newsgen: Indonesian election-result articles from official KPU data.

The package reads like the pipeline it runs::

    sources/   raw payloads (Sirekap JSON, archives, editor YAML) -> RaceSnapshot
    models     RaceSnapshot: validated figures, shares, ranks, margins
    story      RaceSnapshot -> Story: the editorial decisions, plain data
    render     Story -> Markdown text through the Jinja templates in templates/id/
    writer     text -> files with YAML front matter in the output folder
    pipeline   the order of the above; cli is a thin shell around it
"""

__version__ = "0.1.0"
