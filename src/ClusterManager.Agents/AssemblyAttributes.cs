using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("ClusterManager.Agents.Tests")]
[assembly: InternalsVisibleTo("ClusterManager.Agents.Benchmarks")]
