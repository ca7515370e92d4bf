// LeadFWD lists: Sugar records kept in the service, read a page at a time.

import type { Creator, TargetModule } from '../domain/types.js';
import type { Awaitable } from './unit-of-work.js';

export type ListSource = 'filter' | 'csv' | 'api';
export interface LeadfwdList {
  id: string;
  name: string;
  source: ListSource;
  createdAt: string;
  sugarListId?: string;
  createdBy?: Creator;
}
export interface ListMember {
  module: TargetModule;
  recordId: string;
  email?: string;
}

export interface LeadfwdListRepo {
  create(name: string, source: ListSource, id?: string, createdBy?: Creator): Awaitable<LeadfwdList>;
  /** Ignores members already in the list (same module and record id); returns how many were new. */
  addMembers(listId: string, members: ListMember[]): Awaitable<number>;
  members(listId: string): Awaitable<ListMember[]>;
  /** The modules a list's members belong to. */
  modules(listId: string): Awaitable<TargetModule[]>;
  /**
   * Members in list order, `limit` at a time after the position `after` (-1: from the start). `next` is the
   * position to pass for the following page, undefined after the last. Big lists are read this way, so no caller
   * holds a whole list or blocks the event loop reading one.
   */
  membersPage(listId: string, after: number, limit: number): Awaitable<{ members: ListMember[]; next?: number }>;
  memberCount(listId: string): Awaitable<number>;
  /** Deletes a list and its members (a list whose building was refused half-way). */
  remove(id: string): Awaitable<void>;
  get(id: string): Awaitable<LeadfwdList | undefined>;
  list(): Awaitable<Array<LeadfwdList & { memberCount: number }>>;
  /** Returns the ids that do not exist. */
  exists(ids: string[]): Awaitable<string[]>;
  /** The Sugar Target List this list was copied to by the write-back. */
  setSugarListId(id: string, sugarListId: string): Awaitable<void>;
}
