// The room's only way out: what it asks the transport layer to deliver. Implemented by net/, faked in tests.

/** One event a room emits; `seq` is set on broadcasts only. */
export interface OutboundEvent {
  event: string;
  data: unknown;
  seq?: number;
}

/** How a broadcast is delivered. */
export interface BroadcastOptions {
  /**
   * The room closed while these events waited for the store: they still reach the sockets left in its
   * channel, but are not kept for resume, since nobody can resume a closed room and its history is gone.
   */
  closed?: boolean;
}

export interface RoomOutput {
  /** A flush's sequenced broadcast events, in order, to everyone in the room channel. */
  broadcast(roomId: string, events: readonly OutboundEvent[], options?: BroadcastOptions): void;
  /**
   * A chat line, the one broadcast a chat makes: the same as `broadcast` of the one event `{ event: "chat",
   * data: { player_name, message }, seq }`, without that event and its list. Every chat of every room comes
   * here, so an output that can encode it straight from its parts does; one without it gets `broadcast`.
   */
  broadcastChat?(
    roomId: string,
    seq: number,
    playerName: string,
    message: string,
    options?: BroadcastOptions,
  ): void;
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
