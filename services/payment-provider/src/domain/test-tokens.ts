// The provider's documented test card tokens (like Stripe's): what a payment token makes the simulated card network answer.

export type DeclineCode = 'generic_decline' | 'insufficient_funds' | 'expired_card' | 'card_velocity_exceeded';

export interface TokenBehaviour {
  /** What the card network answers: approve, or decline with a Stripe-style decline code. */
  outcome: 'approve' | 'decline';
  declineCode?: DeclineCode;
  description: string;
}

/** Tokens the provider knows; any other `source` is answered 400 `resource_missing` (no such token). */
export const testTokens: Readonly<Record<string, TokenBehaviour>> = {
  tok_visa: { outcome: 'approve', description: 'Visa card, always succeeds' },
  tok_mastercard: { outcome: 'approve', description: 'Mastercard, always succeeds' },
  tok_chargeDeclined: { outcome: 'decline', declineCode: 'generic_decline', description: 'declined with generic_decline' },
  tok_insufficientFunds: { outcome: 'decline', declineCode: 'insufficient_funds', description: 'declined with insufficient_funds' },
  tok_expiredCard: { outcome: 'decline', declineCode: 'expired_card', description: 'declined with expired_card' },
};

export const declineMessages: Readonly<Record<DeclineCode, string>> = {
  generic_decline: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
  expired_card: 'Your card has expired.',
  card_velocity_exceeded: 'Your card was declined: the amount exceeds the card limit.',
};
