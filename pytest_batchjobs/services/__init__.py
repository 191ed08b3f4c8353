"""In-memory service backends: state, validation and one handler per operation."""
