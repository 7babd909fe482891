import { proxyActivities } from '@temporalio/workflow';

export interface BarePost {
  url: string;
  id: string;
  body: string;
}

const { signedPost } = proxyActivities<{ signedPost(input: BarePost): Promise<number> }>({
  startToCloseTimeout: '30s',
});

/** The floor Hookline is measured against: one workflow, one activity doing the same signed POST. */
export async function bareDelivery(input: BarePost): Promise<number> {
  return signedPost(input);
}
