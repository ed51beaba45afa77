using NUnit.Framework.Interfaces;

namespace ClusterManager.Daemon.Tests.Cluster;

internal sealed partial class TestCluster
{
    private partial async Task OnDisposingAsync()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed)
        {
            await TestContext.Out.WriteLineAsync(Logs());
        }
    }
}
