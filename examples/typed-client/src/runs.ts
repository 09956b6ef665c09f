// A frontend's operations, typed from Beacon's schema by graphql-codegen's client preset: `graphql()` returns a
// TypedDocumentNode, so the variables a call takes and the data it returns are checked at compile time.
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { graphql } from './gql';

export const RecentRuns = graphql(`
  query RecentRuns($datasetId: ID, $first: Int!) {
    modelRuns(first: $first, datasetId: $datasetId) {
      nodes {
        id
        status
        metrics {
          rmse
        }
      }
    }
  }
`);

export const FailRun = graphql(`
  mutation FailRun($id: ID!, $error: String!) {
    failTraining(id: $id, error: $error) {
      id
      status
    }
  }
`);

/** Any client that takes a TypedDocumentNode works the same (Apollo Client, urql, graphql-request); this is fetch. */
export async function request<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables: TVariables,
  headers: Record<string, string> = {},
): Promise<TData> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: TData; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((error) => error.message).join('; '));
  return body.data!;
}

/** Typed end to end: `runs` is `{ id: string; status: ModelRunStatus; metrics: { rmse: number | null } | null }[]`. */
export async function slowestRuns(url: string, datasetId: string): Promise<string[]> {
  const data = await request(url, RecentRuns, { datasetId, first: 20 });
  return data.modelRuns.nodes
    .filter((run) => run.status === 'COMPLETED')
    .sort((a, b) => (b.metrics?.rmse ?? 0) - (a.metrics?.rmse ?? 0))
    .map((run) => run.id);
}
