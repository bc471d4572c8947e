"""Personal data of reporters and parties: validators, encryption at rest, masking, reveal policy.

See docs/privacy.md. Security items: P1 (masking, audited reveal), P2 (SM4-GCM at rest, blind
index, key rotation), P3 (known-answer tests), P4 (registry of personal fields), U7 (log tests).
"""
