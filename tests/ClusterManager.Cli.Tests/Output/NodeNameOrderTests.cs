using ClusterManager.Cli.Output;

namespace ClusterManager.Cli.Tests.Output;

public class NodeNameOrderTests
{
    [TestCase("node9", "node10", -1)]
    [TestCase("dhcp69", "dhcp180", -1)]
    [TestCase("Node2", "node2", 0)]
    [TestCase("node10", "remotenode9", -1)]
    [TestCase("node7", "node007", -1)]
    [TestCase("node1", "node1a", -1)]
    [TestCase("b", "a", 1)]
    [TestCase("node99999999999999999999", "node100000000000000000000", -1)]
    public void Compare_SortsDigitRunsNumerically_IgnoringCase(string x, string y, int expected)
    {
        Assert.That(Math.Sign(NodeNameOrder.Instance.Compare(x, y)), Is.EqualTo(expected));
    }
}
