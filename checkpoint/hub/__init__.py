"""The hub: a township's or county's server that receives checkpoints' records and daily
reports (`app`, `ingest`, `report_ingest`), keeps them (`db`), imports USB bundles (`imports`),
renders the reports of everything below it (`reports`, `report_render`) and forwards upward
(`forward`). It speaks the format in `checkpoint.wire`, as the laptop's client does."""
