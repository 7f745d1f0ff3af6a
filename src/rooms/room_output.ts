// The room's only way out: what it asks the transport layer to deliver. Implemented by net/, faked in tests.

/** One event a room emits; `seq` is set on broadcasts only. */
export interface OutboundEvent {
  event: string;
  data: unknown;
  seq?: number;
}

export interface RoomOutput {
  /** A flush's sequenced broadcast events, in order, to everyone in the room channel. */
  broadcast(roomId: string, events: readonly OutboundEvent[]): void;
  /** Private events for the connection that speaks for `memberName`, if it is connected. */
  toMember(roomId: string, memberName: string, events: readonly OutboundEvent[]): void;
  /** A member is gone (left, removed, or its grace ran out): its connection is an unseated visitor again. */
  memberRemoved(roomId: string, memberName: string): void;
  /**
   * The broadcasts a room regenerated while rebuilding from its log (after a restart or a rollback), with
   * their original `seq`. Not to be sent: they went out before. An event history for resume may keep them.
   */
  replayed?(roomId: string, events: readonly OutboundEvent[]): void;
}
