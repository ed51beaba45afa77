using ClusterManager.Agents.Ocf;
using ClusterManager.Agents.Tests.Support;

namespace ClusterManager.Agents.Tests.Ocf;

public sealed class OcfAgentCatalogTests
{
    private static readonly Dictionary<string, IReadOnlyList<string>> Native = new() { ["clustermanager"] = ["IPaddr2"] };

    [Test]
    public void Providers_ListsInstalledAndNativeProviders()
    {
        var catalog = new OcfAgentCatalog(new OcfOptions(), Native);

        Assert.That(catalog.Providers(), Is.SupersetOf(new[] { "clustermanager", "heartbeat" }).And.Ordered);
    }

    [Test]
    public void Agents_ListsExecutablesOnly_ForProvider()
    {
        using var root = new TestOcfRoot();
        root.AddAgent("Zeta", "exit 0");
        root.AddAgent("Alpha", "exit 0");
        File.WriteAllText(Path.Combine(root.Path, "resource.d", "cmtest", "README"), "not an agent");
        var catalog = new OcfAgentCatalog(new OcfOptions { OcfRoot = root.Path }, Native);

        Assert.That(catalog.Agents("cmtest"), Is.EqualTo(new[] { "Alpha", "Zeta" }));
        Assert.That(catalog.Agents("clustermanager"), Is.EqualTo(new[] { "IPaddr2" }));
        Assert.That(OcfAgentCatalog.Standards, Is.EqualTo(new[] { "ocf", "systemd" }));
    }

    [Test]
    public void Parse_Throws_ForMetadataWithoutResourceAgentRoot() =>
        Assert.That(() => AgentMetadata.Parse("<agent/>"), Throws.TypeOf<FormatException>().With.Message.Contains("resource-agent"));
}
