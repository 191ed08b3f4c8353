"""What every job kind is built from: its declaration (:mod:`.spec`), its backend
(:mod:`.backend`: state per region, lifecycles, quota, the factory, listing), its tags
(:mod:`.tagging`), its outputs (:mod:`.outputs`) and its controls (:mod:`.controls`)."""
