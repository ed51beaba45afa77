namespace ClusterManager.Daemon.Tests.Cluster;

internal sealed partial class TestCluster
{
    private partial Task OnDisposingAsync() => Task.CompletedTask;
}
