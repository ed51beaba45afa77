using System.Collections.Immutable;
using ClusterManager.Model.Status;

namespace ClusterManager.Policy.Tests.Scheduling;

public sealed class DigestTests
{
    [Test]
    public void OperationDigest_MatchesPacemaker_ForNoParameters()
    {
        // The digest Pacemaker records for a resource without parameters, all over its regression cases.
        Assert.That(ParameterDigest.Compute([]), Is.EqualTo("f2317cad3d54cec5d7d7aa7d0bf35cf8"));
    }

    [Test]
    public void OperationDigest_IgnoresParameterOrder_AndSeesValues()
    {
        var a = ParameterDigest.Compute([new("ip", "198.18.0.10"), new("cidr_netmask", "24")]);
        var b = ParameterDigest.Compute([new("cidr_netmask", "24"), new("ip", "198.18.0.10")]);
        var c = ParameterDigest.Compute([new("cidr_netmask", "24"), new("ip", "198.18.0.11")]);
        Assert.That((a == b, a == c), Is.EqualTo((true, false)));
    }

    [Test]
    public void OperationDigest_MatchesPacemaker_ForRecurringMonitorWithTimeout()
    {
        // crm_simulate 2.1.5 on a systemd resource with "op monitor interval=10s timeout=30s": recurring digests keep
        // the timeout (CRM_meta_timeout), one-off digests do not.
        Assert.That(ParameterDigest.Compute([new("CRM_meta_timeout", "30000")]), Is.EqualTo("02a5bcf940fc8d3239701acb11438d6a"));
    }

    [TestCase(false, "f2317cad3d54cec5d7d7aa7d0bf35cf8")]
    [TestCase(true, "02a5bcf940fc8d3239701acb11438d6a")]
    public void ActionDetailDigest_IsPacemakers_AndLeavesEqualityAlone(bool recurring, string expected)
    {
        // The same two digests as above, from a detail without parameters and a 30 s timeout: a recurring
        // operation's digest includes the timeout, a one-off's does not.
        ActionDetail Detail() => new("systemd", null, "haproxy", "haproxy", ImmutableSortedDictionary<string, string>.Empty,
            ImmutableSortedDictionary<string, string>.Empty, TimeSpan.FromSeconds(30), 0, recurring);
        var asked = Detail();

        Assert.That(asked.Digest, Is.EqualTo(expected));
        Assert.That(asked, Is.EqualTo(Detail()));
    }
}
