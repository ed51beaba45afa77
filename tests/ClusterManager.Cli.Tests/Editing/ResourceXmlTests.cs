using System.Collections.Immutable;
using System.Xml.Linq;
using ClusterManager.Cib;
using ClusterManager.Cli.Commands;
using ClusterManager.Cli.Editing;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Cli.Tests.Editing;

public class ResourceXmlTests
{
    private static readonly AgentName IpAddr2 = new("ocf", "heartbeat", "IPaddr2");

    private static AgentInfo Info(string[] parameters, string[] required, TimeSpan? monitorInterval = null, params (string Action, int Seconds)[] timeouts) =>
        new([.. parameters], [.. required], timeouts.ToImmutableDictionary(t => t.Action, t => TimeSpan.FromSeconds(t.Seconds)), monitorInterval);

    private static OperationSpec Op(string action, params string[] options) =>
        new(action, [.. options.Select(o => new KeyValuePair<string, string>(o.Split('=')[0], o.Split('=')[1]))]);

    [Test]
    public void Primitive_IsWhatPcsWrites_ForTheSeedVirtualIp()
    {
        var ids = new HashSet<string>();
        var primitive = ResourceXml.Primitive("VirtualIP", IpAddr2, [new("ip", "198.18.0.100"), new("cidr_netmask", "24")], [new("target-role", "Stopped")], ids);
        ResourceXml.SetOperations(primitive, ResourceXml.WithDefaults([Op("monitor", "interval=10s")], null, stonith: false, noDefaults: false), ids);

        Assert.That(primitive.ToString(SaveOptions.DisableFormatting), Is.EqualTo(
            "<primitive id=\"VirtualIP\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">"
            + "<instance_attributes id=\"VirtualIP-instance_attributes\">"
            + "<nvpair id=\"VirtualIP-instance_attributes-ip\" name=\"ip\" value=\"198.18.0.100\" />"
            + "<nvpair id=\"VirtualIP-instance_attributes-cidr_netmask\" name=\"cidr_netmask\" value=\"24\" />"
            + "</instance_attributes>"
            + "<meta_attributes id=\"VirtualIP-meta_attributes\">"
            + "<nvpair id=\"VirtualIP-meta_attributes-target-role\" name=\"target-role\" value=\"Stopped\" />"
            + "</meta_attributes>"
            + "<operations>"
            + "<op id=\"VirtualIP-monitor-interval-10s\" interval=\"10s\" name=\"monitor\" />"
            + "<op id=\"VirtualIP-start-interval-0s\" interval=\"0s\" name=\"start\" timeout=\"20s\" />"
            + "<op id=\"VirtualIP-stop-interval-0s\" interval=\"0s\" name=\"stop\" timeout=\"20s\" />"
            + "</operations></primitive>"));
    }

    [Test]
    public void Primitive_IsReadByTheCibReader_AsAPrimitiveWithOperations()
    {
        var ids = new HashSet<string>();
        var primitive = ResourceXml.Primitive("VirtualIP", IpAddr2, [new("ip", "198.18.0.100")], [], ids);
        ResourceXml.SetOperations(primitive, ResourceXml.WithDefaults([], null, stonith: false, noDefaults: false), ids);
        var cib = $"<cib validate-with=\"pacemaker-3.7\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\"><configuration><crm_config/><nodes/><resources>{primitive}</resources><constraints/></configuration><status/></cib>";

        var read = CibReader.Parse(cib, DateTimeOffset.UnixEpoch);

        var model = read.Snapshot.Configuration.Resources.OfType<PrimitiveConfig>().Single();
        Assert.That(read.Warnings, Is.Empty);
        Assert.That(model.Agent, Is.EqualTo("ocf:heartbeat:IPaddr2"));
        Assert.That(model.Operations.Select(o => (o.Name, o.Interval, o.Timeout)), Is.EqualTo(new[]
        {
            ("monitor", TimeSpan.FromSeconds(10), (TimeSpan?)TimeSpan.FromSeconds(20)),
            ("start", TimeSpan.Zero, (TimeSpan?)TimeSpan.FromSeconds(20)),
            ("stop", TimeSpan.Zero, (TimeSpan?)TimeSpan.FromSeconds(20)),
        }));
    }

    [Test]
    public void WithDefaults_UsesTheAgentsTimeoutsAndMonitorInterval_WhenMetadataIsKnown()
    {
        var info = Info([], [], TimeSpan.FromSeconds(30), ("start", 90), ("stop", 100), ("monitor", 40));

        var operations = ResourceXml.WithDefaults([], info, stonith: false, noDefaults: false);

        Assert.That(operations.Select(o => (o.Action, o["interval"], o["timeout"])), Is.EqualTo(new[]
        {
            ("monitor", "30s", "40s"), ("start", "0s", "90s"), ("stop", "0s", "100s"),
        }));
    }

    [Test]
    public void WithDefaults_KeepsGivenOperations_AndAddsOnlyMissingOnes()
    {
        var operations = ResourceXml.WithDefaults([Op("monitor", "interval=10s", "timeout=30s"), Op("start", "timeout=60s")], null, stonith: false, noDefaults: false);

        Assert.That(operations.Select(o => (o.Action, o["timeout"])), Is.EqualTo(new[] { ("monitor", "30s"), ("start", "60s"), ("stop", "20s") }));
    }

    [TestCase(true, false, new[] { "monitor" })]
    [TestCase(false, true, new[] { "monitor" })]
    [TestCase(false, false, new[] { "monitor", "start", "stop" })]
    public void WithDefaults_AddsOnlyAMonitor_ForStonithOrNoDefaultOps(bool stonith, bool noDefaults, string[] actions) =>
        Assert.That(ResourceXml.WithDefaults([], null, stonith, noDefaults).Select(o => o.Action), Is.EqualTo(actions));

    [Test]
    public void WithDefaults_GivesStonithAMinuteMonitor() =>
        Assert.That(ResourceXml.WithDefaults([], null, stonith: true, noDefaults: false)[0]["interval"], Is.EqualTo("60s"));

    [TestCase("monitor", new[] { "interval=10s", "OCF_CHECK_LEVEL=10" }, "<op id=\"R-monitor-interval-10s\" interval=\"10s\" name=\"monitor\"><instance_attributes id=\"R-monitor-interval-10s-instance_attributes\"><nvpair id=\"R-monitor-interval-10s-instance_attributes-OCF_CHECK_LEVEL\" name=\"OCF_CHECK_LEVEL\" value=\"10\" /></instance_attributes></op>")]
    [TestCase("monitor", new[] { "timeout=5s" }, "<op id=\"R-monitor-interval-60s\" interval=\"60s\" name=\"monitor\" timeout=\"5s\" />")]
    [TestCase("start", new[] { "on-fail=restart", "id=my-start" }, "<op id=\"my-start\" interval=\"0s\" name=\"start\" on-fail=\"restart\" />")]
    [TestCase("monitor", new[] { "interval=10s", "role=Promoted" }, "<op id=\"R-monitor-interval-10s\" interval=\"10s\" name=\"monitor\" role=\"Promoted\" />")]
    public void Operation_WritesPcsIdsAndAttributes(string action, string[] options, string xml) =>
        Assert.That(ResourceXml.Operation("R", Op(action, options), new HashSet<string>()).ToString(SaveOptions.DisableFormatting), Is.EqualTo(xml));

    [TestCase("monitor", "interval=soon", "'soon' is not a valid interval value of operation monitor")]
    [TestCase("monitor", "on-fail=explode", "'explode' is not a valid on-fail value")]
    [TestCase("monitor", "color=red", "'color' is not a valid operation option")]
    [TestCase("frobnicate", "interval=1s", "'frobnicate' is not an operation action")]
    [TestCase("monitor", "role=Boss", "'Boss' is not a valid role value")]
    public void Operation_RefusesInvalidOptions(string action, string option, string message)
    {
        var error = Assert.Throws<UsageException>(() => ResourceXml.Operation("R", Op(action, option), new HashSet<string>()));

        Assert.That(error!.Message, Does.Contain(message));
    }

    [Test]
    public void SetOperations_RefusesTheSameOperationTwice()
    {
        var primitive = new XElement("primitive", new XAttribute("id", "R"));

        var error = Assert.Throws<UsageException>(() =>
            ResourceXml.SetOperations(primitive, [Op("monitor", "interval=10s"), Op("monitor", "interval=10000ms")], new HashSet<string>()));

        Assert.That(error!.Message, Does.Contain("operation monitor with interval 10000ms is given more than once"));
    }

    [Test]
    public void SetOperations_MakesIdsUnique_AgainstTheDocument()
    {
        var primitive = new XElement("primitive", new XAttribute("id", "R"));
        var ids = new HashSet<string> { "R-monitor-interval-10s" };

        ResourceXml.SetOperations(primitive, [Op("monitor", "interval=10s")], ids);

        Assert.That((string?)primitive.Element("operations")!.Element("op")!.Attribute("id"), Is.EqualTo("R-monitor-interval-10s-1"));
    }

    [Test]
    public void CheckParameters_NamesTheUnknownOption_WithTheAllowedOnes()
    {
        var problem = ResourceXml.CheckParameters(IpAddr2, Info(["ip", "cidr_netmask"], ["ip"]), ["ip", "netmask"], complete: true);

        Assert.That(problem, Is.EqualTo("invalid resource option 'netmask' for ocf:heartbeat:IPaddr2, allowed options are: 'ip', 'cidr_netmask' (use --force to override)"));
    }

    [Test]
    public void CheckParameters_NamesTheMissingRequiredOption_OnlyWhenComplete()
    {
        var info = Info(["ip", "cidr_netmask"], ["ip"]);

        Assert.That(ResourceXml.CheckParameters(IpAddr2, info, ["cidr_netmask"], complete: true), Is.EqualTo("required resource option 'ip' of ocf:heartbeat:IPaddr2 is missing (use --force to override)"));
        Assert.That(ResourceXml.CheckParameters(IpAddr2, info, ["cidr_netmask"], complete: false), Is.Null);
    }

    [Test]
    public void CheckParameters_AllowsTheFencersPcmkOptions_ForStonith()
    {
        var agent = new AgentName("stonith", null, "fence_virsh");

        var problem = ResourceXml.CheckParameters(agent, Info(["ip", "plug"], ["plug"]), ["ip", "pcmk_host_list", "pcmk_delay_base"], complete: true);

        Assert.That(problem, Is.Null);
    }

    [TestCase(null, false, "web-clone", null)]
    [TestCase("my-clone", false, "my-clone", null)]
    [TestCase(null, true, "web-clone", "true")]
    public void Clone_WrapsTheChild_WithPcsIdAndPromotableMeta(string? id, bool promotable, string expectedId, string? promotableMeta)
    {
        var child = new XElement("primitive", new XAttribute("id", "web"));

        var clone = ResourceXml.Clone(child, new CloneSpec(id, promotable, [new("interleave", "true")]), new HashSet<string> { "web" });

        Assert.That((string?)clone.Attribute("id"), Is.EqualTo(expectedId));
        Assert.That(CibEdit.PairValue(clone, "meta_attributes", "promotable"), Is.EqualTo(promotableMeta));
        Assert.That(CibEdit.PairValue(clone, "meta_attributes", "interleave"), Is.EqualTo("true"));
        Assert.That(clone.Element("primitive"), Is.SameAs(child));
    }

    [TestCase("1bad", "is not a valid id")]
    [TestCase("with space", "is not a valid id")]
    [TestCase("taken", "'taken' already exists")]
    public void Take_RefusesInvalidOrTakenIds(string id, string message)
    {
        var error = Assert.Throws<UsageException>(() => ResourceXml.Take(new HashSet<string> { "taken" }, id));

        Assert.That(error!.Message, Does.Contain(message));
    }
}
