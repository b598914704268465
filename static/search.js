// Search: see src/search.rs.
