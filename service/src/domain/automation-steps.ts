// The per-target step machine: given where a target stands, what it did with the previous email and the clock,
// which emails go out now and where the target waits next. Pure; the engine persists the result atomically.

import { abGroup } from './ab-test.js';
import type { EmailContent, Instruction } from './automation.js';
import { nextWindowStart } from './automation-time.js';

/** Where a target stands: the key of its next instruction (keys survive edits), and the end of a wait begun. */
export interface TargetPosition {
  at: string | null;
  waitUntil?: string;
  lastSendKey?: string;
}

export interface Engagement {
  opened: boolean;
  clicked: boolean;
}

export interface StepContext {
  now: Date;
  /** Send keys this target already passed: never sent again, even after an edit moved them. */
  passed: (sendKey: string) => boolean;
  /** Human engagement with an email this target was sent (machine opens and bot clicks excluded). */
  engagement: (sendKey: string) => Engagement;
  /** The target's address key: which path of a split it takes (the same on every walk). */
  targetKey?: string;
  /** The path a split's winner was decided to be (automatically or by hand); undefined while it still splits. */
  splitWinner?: (splitKey: string) => number | undefined;
}

export interface StepResult {
  sends: Array<{ key: string; email: EmailContent }>;
  position: TargetPosition;
  /** True when the target reached the end of the program. */
  done: boolean;
  /** When waiting: the earliest time the target can move again. */
  wakeAt?: string;
}

const END = null;

export function advance(program: Instruction[], pos: TargetPosition, ctx: StepContext): StepResult {
  const sends: StepResult['sends'] = [];
  let lastSendKey = pos.lastSendKey;
  let waitUntil = pos.waitUntil;
  let pc = pos.at === END ? program.length : program.findIndex((i) => i.key === pos.at);
  if (pc < 0) {
    pc = 0;
    waitUntil = undefined;
  } // the step it stood on was edited away: walk again, skipping what was sent
  // Jumps only go forward (validated), so this loop ends within program.length steps.
  while (pc < program.length) {
    const ins = program[pc];
    switch (ins.op) {
      case 'send':
        if (!ctx.passed(ins.key)) sends.push({ key: ins.key, email: ins.email });
        lastSendKey = ins.key;
        pc++;
        break;
      case 'wait': {
        if (!waitUntil) {
          waitUntil = ins.window ? nextWindowStart(ctx.now, ins.window).toISOString() : new Date(ctx.now.getTime() + ins.seconds! * 1000).toISOString();
        }
        if (Date.parse(waitUntil) > ctx.now.getTime()) {
          return { sends, position: { at: ins.key, waitUntil, lastSendKey }, done: false, wakeAt: waitUntil };
        }
        waitUntil = undefined;
        pc++;
        break;
      }
      case 'branch': {
        const e = lastSendKey ? ctx.engagement(lastSendKey) : { opened: false, clicked: false };
        pc = (ins.on === 'clicked' ? e.clicked : e.opened || e.clicked) ? pc + 1 : ins.elseAt;
        break;
      }
      case 'jump':
        pc = ins.to > pc ? ins.to : pc + 1;
        break;
      case 'split': {
        const w = ctx.splitWinner?.(ins.key);
        const path = w !== undefined && w < ins.at.length ? w : (abGroup(ins.key, ctx.targetKey ?? '', 1, ins.at.length) as number);
        pc = ins.at[path];
        break;
      }
    }
  }
  return { sends, position: { at: END, lastSendKey }, done: true };
}
