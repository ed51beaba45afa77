using ClusterManager.Daemon.Store;
using ClusterManager.Model.Configuration;

namespace ClusterManager.Daemon.Tests.Store;

public sealed class CibFragmentsTests
{
    [Test]
    public void ParseResource_GivesPrimitive_WhenXmlIsPrimitive()
    {
        var (resource, error) = CibFragments.ParseResource(
            "<primitive id=\"VirtualIP\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\"><instance_attributes id=\"VirtualIP-ia\"><nvpair id=\"VirtualIP-ia-ip\" name=\"ip\" value=\"198.18.0.10\"/></instance_attributes>"
            + "<operations><op id=\"VirtualIP-monitor-10s\" name=\"monitor\" interval=\"10s\"/></operations></primitive>");

        Assert.That(error, Is.Null);
        var p = (PrimitiveConfig)resource!;
        Assert.That(p.Agent, Is.EqualTo("ocf:heartbeat:IPaddr2"));
        Assert.That(p.Operations.Single().Interval, Is.EqualTo(TimeSpan.FromSeconds(10)));
    }

    [TestCase("<primitive id=\"x\"", "not well-formed")]
    [TestCase("<rsc_order id=\"o1\" first=\"a\" then=\"b\"/>", "not modelled")]
    public void ParseResource_GivesError_WhenNotOneResource(string xml, string expected)
    {
        var (resource, error) = CibFragments.ParseResource(xml);

        Assert.That(resource, Is.Null);
        Assert.That(error, Does.Contain(expected));
    }

    [Test]
    public void ParseConstraint_GivesOrder_WhenXmlIsOrder()
    {
        var (constraint, error) = CibFragments.ParseConstraint("<rsc_order id=\"o1\" first=\"VirtualIP\" then=\"HAProxy\"/>");

        Assert.That(error, Is.Null);
        Assert.That(constraint, Is.TypeOf<OrderConstraint>());
        Assert.That(constraint!.Id, Is.EqualTo("o1"));
    }
}
