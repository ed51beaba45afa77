namespace ClusterManager.Fencing.Tests;

public class HostParsingTests
{
    [TestCase("node1 node2", new[] { "node1", "node2" })]
    [TestCase("node1,node2;node3\tnode4", new[] { "node1", "node2", "node3", "node4" })]
    [TestCase("  node1 ,, node1 NODE1 ", new[] { "node1" })]
    [TestCase("", new string[0])]
    public void ParseList_SplitsAndDeduplicates_OnPacemakerSeparators(string text, string[] expected) =>
        Assert.That(HostParsing.ParseList(text), Is.EqualTo(expected));

    [Test]
    public void ParseMap_MapsNodesToPorts_WithColonEqualsAndCommaPorts()
    {
        var map = HostParsing.ParseMap("node1:1;node2=2,3 node3:vm-3;");

        Assert.That(map, Has.Count.EqualTo(3));
        Assert.That(map["node1"], Is.EqualTo("1"));
        Assert.That(map["NODE2"], Is.EqualTo("2,3"));
        Assert.That(map["node3"], Is.EqualTo("vm-3"));
    }

    [Test]
    public void ParseMap_SplitsAtFirstSeparator_WhenPortHoldsColon() =>
        Assert.That(HostParsing.ParseMap("node1:a:b")["node1"], Is.EqualTo("a:b"));

    [Test]
    public void ParseMap_LaterMappingWins_WhenNodeRepeats() =>
        Assert.That(HostParsing.ParseMap("node1:1;node1:5")["node1"], Is.EqualTo("5"));

    [TestCase("node1")]
    [TestCase(":1")]
    [TestCase("node1:")]
    [TestCase("node1:1;node2")]
    public void ParseMap_Throws_WhenMappingMalformed(string text) =>
        Assert.That(() => HostParsing.ParseMap(text),
            Throws.TypeOf<FormatException>().With.Message.Contains("pcmk_host_map").And.Message.Contains("malformed"));

    [Test]
    public void ParseDelayBase_GivesOneValue_WhenNoTargets()
    {
        var (all, perTarget) = HostParsing.ParseDelayBase("5s");

        Assert.That(all, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(perTarget, Is.Empty);
    }

    [Test]
    public void ParseDelayBase_GivesPerTargetValues_WhenMapped()
    {
        var (all, perTarget) = HostParsing.ParseDelayBase("node1:0;node2:10s node3:500ms");

        Assert.That(all, Is.EqualTo(TimeSpan.Zero));
        Assert.That(perTarget["node2"], Is.EqualTo(TimeSpan.FromSeconds(10)));
        Assert.That(perTarget["NODE3"], Is.EqualTo(TimeSpan.FromMilliseconds(500)));
    }

    [TestCase("soon")]
    [TestCase("node1:later")]
    public void ParseDelayBase_Throws_WhenNotADuration(string text) =>
        Assert.That(() => HostParsing.ParseDelayBase(text), Throws.TypeOf<FormatException>().With.Message.Contains("pcmk_delay_base"));

    [TestCase("node1,\nnode2,\n", new[] { "node1", "node2" })]
    [TestCase("node1,,ON\nnode2,,OFF\n", new[] { "node1", "node2" })]
    [TestCase("node1 node2;node3", new[] { "node1", "node2", "node3" })]
    [TestCase("Invalid plug\nnode1\n", new[] { "node1" })]
    [TestCase("vm.a-1_x(uuid)\n", new[] { "vm.a-1_x" })]
    [TestCase("NOTICE: List option is not working on this device yet\n", new[] { "NOTICE", "List", "option", "is", "not", "working", "this", "device", "yet" })]
    public void ParseListOutput_FollowsPacemakerRules(string output, string[] expected) =>
        Assert.That(HostParsing.ParseListOutput(output), Is.EqualTo(expected));
}
