using System.Xml.Linq;
using ClusterManager.Cli.Editing;

namespace ClusterManager.Cli.Tests.Editing;

/// <summary>The batch <c>hactl cluster cib-push</c> computes between two configurations.</summary>
public sealed class CibDiffTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    private static string Cib(string resources = "", string constraints = "", string properties = "", string nodes = "", string extra = "") => $"""
        <cib validate-with="pacemaker-3.7" epoch="4" num_updates="0" admin_epoch="0">
          <configuration>
            <crm_config><cluster_property_set id="cib-bootstrap-options">{properties}</cluster_property_set></crm_config>
            <nodes>{nodes}</nodes>
            <resources>{resources}</resources>
            <constraints>{constraints}</constraints>
            {extra}
          </configuration>
          <status/>
        </cib>
        """;

    private const string Ip = "<primitive id=\"VirtualIP\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\"><instance_attributes id=\"VirtualIP-ia\"><nvpair id=\"VirtualIP-ia-ip\" name=\"ip\" value=\"198.18.0.100\"/></instance_attributes></primitive>";

    private const string Web = "<primitive id=\"Web\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>";

    private static IReadOnlyList<string> Diff(string from, string to)
    {
        var target = XDocument.Parse(to);
        return [.. CibDiff.Compute(CibChangeApplier.Read(XDocument.Parse(from), Now), CibChangeApplier.Read(target, Now), target).Select(CibDiff.Describe)];
    }

    [Test]
    public void Compute_IsEmpty_ForTheSameConfigurationWrittenDifferently()
    {
        var reformatted = "<primitive type=\"IPaddr2\" provider=\"heartbeat\" class=\"ocf\" id=\"VirtualIP\">\n  <instance_attributes id=\"VirtualIP-ia\">\n"
                          + "    <nvpair value=\"198.18.0.100\" name=\"ip\" id=\"VirtualIP-ia-ip\"/>\n  </instance_attributes>\n</primitive>";

        Assert.That(Diff(Cib(Ip + Web), Cib(reformatted + Web)), Is.Empty);
    }

    [TestCase("", Web, "create resource Web")]
    [TestCase(Web, "", "delete resource Web")]
    [TestCase(Web, "<primitive id=\"Web\" class=\"ocf\" provider=\"heartbeat\" type=\"Stateful\"/>", "replace resource Web")]
    public void Compute_CreatesReplacesOrDeletes_TopLevelResources(string before, string after, string expected)
    {
        Assert.That(Diff(Cib(Ip + before), Cib(Ip + after)), Is.EqualTo(new[] { expected }));
    }

    [Test]
    public void Compute_OrdersDeletionsFirst_AndCoversEverySection()
    {
        var from = Cib(Ip + Web, "<rsc_order id=\"o1\" first=\"VirtualIP\" then=\"Web\"/>", "<nvpair id=\"p1\" name=\"stonith-enabled\" value=\"true\"/>",
            "<node id=\"n1\" uname=\"n1\"><instance_attributes id=\"nodes-n1\"><nvpair id=\"nodes-n1-standby\" name=\"standby\" value=\"on\"/></instance_attributes></node>");
        var to = Cib("<group id=\"g\">" + Ip + Web + "</group>", "", "<nvpair id=\"p2\" name=\"no-quorum-policy\" value=\"ignore\"/>", "<node id=\"n1\" uname=\"n1\"/>",
            "<rsc_defaults><meta_attributes id=\"rsc-options\"><nvpair id=\"r1\" name=\"resource-stickiness\" value=\"100\"/></meta_attributes></rsc_defaults>");

        var changes = Diff(from, to);

        Assert.That(changes, Is.EqualTo(new[]
        {
            "delete constraint o1", "delete resource VirtualIP", "delete resource Web", "create resource g",
            "set property no-quorum-policy=ignore", "unset property stonith-enabled", "set resource default resource-stickiness=100",
            "unset node n1 attribute standby",
        }));
    }

    [Test]
    public void Compute_GivesABatchTheStoreAccepts_ForAGrouping()
    {
        var from = Cib(Ip + Web, "<rsc_order id=\"o1\" first=\"VirtualIP\" then=\"Web\"/>");
        var to = Cib("<group id=\"g\">" + Ip + Web + "</group>", "<rsc_location id=\"l1\" rsc=\"g\" node=\"n1\" score=\"50\"/>");
        var target = XDocument.Parse(to);
        var changes = CibDiff.Compute(CibChangeApplier.Read(XDocument.Parse(from), Now), CibChangeApplier.Read(target, Now), target);

        var (result, errors) = CibChangeApplier.Apply(XDocument.Parse(from), changes, Now);

        Assert.That(errors, Is.Empty);
        Assert.That(Diff(result!.ToString(), to), Is.Empty);
    }
}
