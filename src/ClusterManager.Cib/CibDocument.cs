using System.Collections.Immutable;
using ClusterManager.Model;

namespace ClusterManager.Cib;

/// <summary>
/// A CIB read by <see cref="CibReader"/>: the snapshot and one line per thing that was read but not modelled
/// (bundles, templates, tags, ACLs, alerts, ...), each naming the element and what was ignored.
/// </summary>
public sealed record CibDocument(ClusterSnapshot Snapshot, ImmutableArray<string> Warnings);
