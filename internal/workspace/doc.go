// Package workspace is Crescent's vocabulary: the nouns of the product
// (organizations, API keys, processes, collections), the closed set of error
// codes, the scopes and the narrow interfaces that adapters implement.
//
// It imports only the standard library. Adapters (store, blob, httpapi, …)
// import it; it imports none of them.
package workspace
