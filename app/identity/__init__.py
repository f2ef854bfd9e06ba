"""Is this the same person? dlib's face-recognition ResNet compares a new photo's face with a
patient's earlier photos (ADR 0017). Embeddings are biometric data: computed when needed, kept
only in memory for the comparison, never stored, logged or exported."""
