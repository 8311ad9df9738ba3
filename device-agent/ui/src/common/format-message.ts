// One message formatter for every touchpoint (issue 14): it lives in protocol.
export * from '@touchpoint/protocol/format-message';
