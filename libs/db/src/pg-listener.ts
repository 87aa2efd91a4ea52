// One dedicated connection that LISTENs for a pg SqlClient, re-established with backoff when it drops.

import { Client, type ClientConfig, type Notification } from 'pg';
import type { Unlisten } from './sql-client';
import { assertChannelName } from './sql-names';

interface Channel {
  readonly handlers: Set<(payload: string) => void>;
  /** Settles when LISTEN has been issued, so a second subscriber never returns before the first is live. */
  ready: Promise<void>;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 30_000;

/**
 * A LISTEN must stay on one session, so it cannot use the pool. The connection is opened on the
 * first listen(); if it drops (server restart, pg_terminate_backend) it is reopened and every
 * channel LISTENed again. Notifications sent meanwhile are lost: subscribers must also poll.
 */
export class PgListener {
  readonly #channels = new Map<string, Channel>();
  #current: Client | undefined;
  #connecting: Promise<Client> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryMs = FIRST_RETRY_MS;
  #closed = false;

  constructor(
    private readonly config: ClientConfig,
    private readonly onError: (err: unknown) => void,
  ) {}

  async listen(channel: string, onNotify: (payload: string) => void): Promise<Unlisten> {
    assertChannelName(channel);
    if (this.#closed) throw new Error('SqlClient is closed');
    const existing = this.#channels.get(channel);
    const entry = existing ?? { handlers: new Set(), ready: Promise.resolve() };
    entry.handlers.add(onNotify);
    if (!existing) {
      this.#channels.set(channel, entry);
      entry.ready = this.#connection().then((client) => client.query(`LISTEN ${channel}`)).then(() => undefined);
    }
    try {
      await entry.ready;
    } catch (err) {
      this.#remove(channel, onNotify);
      throw err;
    }
    return async () => this.#remove(channel, onNotify);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#channels.clear();
    const client = this.#current ?? (await this.#connecting?.catch(() => undefined));
    this.#current = undefined;
    await client?.end().catch(() => undefined);
  }

  async #remove(channel: string, onNotify: (payload: string) => void): Promise<void> {
    const entry = this.#channels.get(channel);
    if (!entry?.handlers.delete(onNotify) || entry.handlers.size > 0) return;
    this.#channels.delete(channel);
    await this.#current?.query(`UNLISTEN ${channel}`).catch(this.onError);
  }

  #connection(): Promise<Client> {
    if (this.#current) return Promise.resolve(this.#current);
    this.#connecting ??= this.#connect().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #connect(): Promise<Client> {
    const client = new Client(this.config);
    client.on('notification', (msg) => this.#deliver(msg));
    // Without an 'error' listener a dropped connection would crash the process.
    client.on('error', (err) => {
      this.onError(err);
      this.#drop(client);
    });
    client.on('end', () => this.#drop(client));
    try {
      await client.connect();
      for (const channel of this.#channels.keys()) await client.query(`LISTEN ${channel}`);
      if (this.#closed) throw new Error('SqlClient is closed');
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.#current = client;
    this.#retryMs = FIRST_RETRY_MS;
    return client;
  }

  #deliver(msg: Notification): void {
    for (const handler of this.#channels.get(msg.channel)?.handlers ?? []) {
      try {
        handler(msg.payload ?? '');
      } catch (err) {
        this.onError(err);
      }
    }
  }

  #drop(client: Client): void {
    if (this.#current !== client) return;
    this.#current = undefined;
    client.end().catch(() => undefined);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#retryTimer || this.#channels.size === 0) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connection().catch((err: unknown) => {
        this.onError(err);
        this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
        this.#scheduleReconnect();
      });
    }, this.#retryMs);
    this.#retryTimer.unref();
  }
}
