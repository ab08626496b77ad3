"""The live-events layer, below services: the bus (`bus`), the typed messages it carries
(`messages`), the transactional outbox that publishes them after commit (`outbox`) and the runner
of background jobs (`runner`)."""
