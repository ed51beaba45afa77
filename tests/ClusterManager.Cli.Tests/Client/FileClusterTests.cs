using System.Xml.Linq;
using ClusterManager.Api.V1;
using ClusterManager.Cli.Client;
using ClusterManager.Cli.Commands;
using Grpc.Core;
using ClusterManager.Cli.Tests.Support;

namespace ClusterManager.Cli.Tests.Client;

/// <summary>hactl's <c>-f FILE</c>: commands on a CIB file instead of the live cluster (no clusterd runs here).</summary>
public sealed class FileClusterTests
{
    private const string StatusCib = """
        <cib validate-with="pacemaker-3.7" epoch="4" num_updates="0" admin_epoch="0" have-quorum="true" dc-uuid="n1">
          <configuration>
            <crm_config/>
            <nodes>
              <node id="n1" uname="n1"/>
              <node id="n2" uname="n2"/>
            </nodes>
            <resources>
              <primitive id="VirtualIP" class="ocf" provider="heartbeat" type="IPaddr2">
                <instance_attributes id="VirtualIP-ia"><nvpair id="VirtualIP-ia-ip" name="ip" value="198.18.0.100"/></instance_attributes>
              </primitive>
            </resources>
            <constraints/>
            <tags><tag id="keep-me"><obj_ref id="VirtualIP"/></tag></tags>
          </configuration>
          <status>
            <node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
              <lrm id="n1">
                <lrm_resources>
                  <lrm_resource id="VirtualIP" class="ocf" provider="heartbeat" type="IPaddr2">
                    <lrm_rsc_op id="VirtualIP_last_0" operation_key="VirtualIP_start_0" operation="start" transition-key="1:1:0:abc" transition-magic="0:0;1:1:0:abc" call-id="5" rc-code="0" op-status="0" interval="0" last-rc-change="1767322800" exec-time="20" queue-time="0" op-digest="x" on_node="n1"/>
                  </lrm_resource>
                </lrm_resources>
              </lrm>
            </node_state>
          </status>
        </cib>
        """;

    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("hactl-file-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static (int Code, string Out, string Err) Run(params string[] args) => HactlRun.Run(args);

    private static void Ok(params string[] args)
    {
        var (code, output, error) = Run(args);
        Assert.That(code, Is.Zero, $"hactl {string.Join(' ', args)}\nstdout: {output}\nstderr: {error}");
    }

    private string TwoResources()
    {
        var file = PathOf("cfg.xml");
        Ok("-f", file, "resource", "create", "VirtualIP", "ocf:heartbeat:IPaddr2", "ip=198.18.0.100", "cidr_netmask=24", "op", "monitor", "interval=10s");
        Ok("-f", file, "resource", "create", "Web", "ocf:heartbeat:Dummy");
        return file;
    }

    [Test]
    public void ResourceCreate_WritesACib_WhenTheFileDoesNotExist()
    {
        var file = TwoResources();

        var cib = XDocument.Load(file);
        var primitives = cib.Descendants("primitive").Select(p => ((string?)p.Attribute("id"), (string?)p.Attribute("type")));
        Assert.That(primitives, Is.EqualTo(new[] { ("VirtualIP", "IPaddr2"), ("Web", "Dummy") }));
        Assert.That((string?)cib.Root!.Attribute("epoch"), Is.EqualTo("2"));
        Assert.That(Run("-f", file, "resource", "config").Out, Does.Contain("Resource: VirtualIP (class=ocf provider=heartbeat type=IPaddr2)"));
    }

    [Test]
    public void ConstraintCommands_AddConstraints_ToTheFile()
    {
        var file = TwoResources();

        Ok("-f", file, "constraint", "colocation", "add", "Web", "with", "VirtualIP", "INFINITY");
        Ok("constraint", "order", "VirtualIP", "then", "Web", "-f", file);
        var (code, output, _) = Run("-f", file, "constraint", "config", "--full");

        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain("(id: colocation-Web-VirtualIP-INFINITY)").And.Contain("(id: order-VirtualIP-Web-mandatory)"));
    }

    [Test]
    public void ConstraintLocationRule_WritesTheRule_AsPcsDoes()
    {
        var file = TwoResources();

        Ok("-f", file, "constraint", "location", "VirtualIP", "rule", "score=-INFINITY", "pingd", "lt", "1", "or", "not_defined", "pingd");
        var (code, output, _) = Run("-f", file, "constraint", "config", "--full");
        var refused = Run("-f", file, "constraint", "location", "Nope", "rule", "defined", "pingd");

        var rule = XDocument.Load(file).Descendants("rsc_location").Single().Element("rule")!;
        Assert.That(((string?)rule.Attribute("id"), (string?)rule.Attribute("boolean-op"), (string?)rule.Attribute("score")),
            Is.EqualTo(("location-VirtualIP-rule", "or", "-INFINITY")));
        Assert.That(rule.Elements("expression").Select(e => ((string?)e.Attribute("id"), (string?)e.Attribute("attribute"), (string?)e.Attribute("operation"), (string?)e.Attribute("value"))),
            Is.EqualTo(new[] { ("location-VirtualIP-rule-expr", "pingd", "lt", "1"), ("location-VirtualIP-rule-expr-1", "pingd", "not_defined", (string?)null) }));
        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain("Expression: pingd lt 1 (id: location-VirtualIP-rule-expr)").And.Contain("Expression: not_defined pingd"));
        Assert.That((refused.Code, refused.Err), Is.EqualTo((1, "error: Resource 'Nope' does not exist\n")));
    }

    [Test]
    public void PropertyDefaults_ShowsDefaults_NotTheSetValues()
    {
        var file = PathOf("props.xml");
        Ok("-f", file, "property", "set", "no-quorum-policy=ignore");

        var (code, output, _) = Run("-f", file, "property", "defaults", "no-quorum-policy", "stonith-enabled");

        Assert.That(code, Is.Zero);
        Assert.That(output, Is.EqualTo("Cluster Properties (defaults):\n  no-quorum-policy=stop\n  stonith-enabled=true\n"));
    }

    [Test]
    public void PropertySet_WritesTheBootstrapSet_AndPropertyConfigReadsIt()
    {
        var file = PathOf("props.xml");

        Ok("-f", file, "property", "set", "stonith-enabled=false", "no-quorum-policy=ignore");
        var (_, output, _) = Run("-f", file, "property", "config");

        var pairs = XDocument.Load(file).Descendants("cluster_property_set").Single(s => (string?)s.Attribute("id") == "cib-bootstrap-options")
            .Elements("nvpair").Select(p => ((string?)p.Attribute("name"), (string?)p.Attribute("value")));
        Assert.That(pairs, Is.EquivalentTo(new[] { ("stonith-enabled", "false"), ("no-quorum-policy", "ignore") }));
        Assert.That(output, Does.Contain("stonith-enabled=false"));
    }

    [Test]
    public void ResourceDelete_RemovesTheResourceAndItsConstraints_FromTheFile()
    {
        var file = TwoResources();
        Ok("-f", file, "constraint", "colocation", "add", "Web", "with", "VirtualIP", "INFINITY");

        Ok("-f", file, "resource", "delete", "Web", "--yes");

        var cib = XDocument.Load(file);
        Assert.That(cib.Descendants("primitive").Select(p => (string?)p.Attribute("id")), Is.EqualTo(new[] { "VirtualIP" }));
        Assert.That(cib.Descendants("rsc_colocation"), Is.Empty);
    }

    [Test]
    public void Edit_KeepsUnmodelledSectionsAndStatus_OfTheUsersFile()
    {
        var file = PathOf("status.xml");
        File.WriteAllText(file, StatusCib);

        Ok("-f", file, "resource", "meta", "VirtualIP", "resource-stickiness=100");

        var cib = XDocument.Load(file);
        Assert.That(cib.Descendants("tag").Select(t => (string?)t.Attribute("id")), Is.EqualTo(new[] { "keep-me" }));
        Assert.That(cib.Descendants("lrm_rsc_op").Count(), Is.EqualTo(1));
        Assert.That((string?)cib.Root!.Attribute("epoch"), Is.EqualTo("5"));
    }

    [TestCase("resource", "create", "VirtualIP", "ocf:heartbeat:Dummy")]
    [TestCase("property", "set", "stonith-enabld=false")]
    [TestCase("constraint", "colocation", "add", "Missing", "with", "VirtualIP", "INFINITY")]
    [TestCase("constraint", "location", "VirtualIP", "prefers", "n1=lots")]
    [TestCase("resource", "delete", "Missing", "--yes")]
    public void RefusedChange_LeavesTheFileByteIdentical(params string[] command)
    {
        var file = PathOf("status.xml");
        File.WriteAllText(file, StatusCib);
        var before = File.ReadAllBytes(file);

        var (code, _, error) = Run(["-f", file, .. command]);

        Assert.That(code, Is.Not.Zero);
        Assert.That(error, Does.StartWith("error: "));
        Assert.That(File.ReadAllBytes(file), Is.EqualTo(before));
        Assert.That(Directory.GetFiles(_directory), Has.Length.EqualTo(1), "no temporary file is left behind");
    }

    [TestCase("rsc_colocation id=\"c1\" rsc=\"Missing\" with-rsc=\"VirtualIP\" score=\"INFINITY\"", "Missing")]
    [TestCase("rsc_colocation id=\"c1\" rsc=\"VirtualIP\" with-rsc=\"VirtualIP\" score=\"often\"", "often")]
    [TestCase("rsc_order id=\"VirtualIP\" first=\"VirtualIP\" then=\"VirtualIP\"", "VirtualIP")]
    public async Task ApplyAsync_RefusesWithClusterdsMessage_WhenTheValidatorFindsAnError(string constraint, string named)
    {
        var file = PathOf("status.xml");
        File.WriteAllText(file, StatusCib);
        using var backend = new FileCluster(file, "test", TimeProvider.System);
        var change = new Change { PutConstraint = new PutElement { Xml = $"<{constraint}/>", Mode = WriteMode.Create } };

        var refused = Assert.ThrowsAsync<RpcException>(() => backend.ApplyAsync([change], null, CancellationToken.None));

        Assert.That(refused!.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));
        Assert.That(refused.Status.Detail, Does.Contain(named));
        Assert.That(await File.ReadAllTextAsync(file), Is.EqualTo(StatusCib));
    }

    [TestCase("stonith", "fence", "n1")]
    [TestCase("stonith", "confirm", "n1", "--yes")]
    [TestCase("history")]
    [TestCase("status", "wait")]
    [TestCase("quorum", "status")]
    [TestCase("resource", "restart", "VirtualIP")]
    [TestCase("cluster", "node", "list")]
    [TestCase("resource", "enable", "VirtualIP", "--wait=10")]
    [TestCase("cluster", "cib-push", "other.xml", "--config")]
    public void LiveOnlyCommand_FailsClearly_OnAFile(params string[] command)
    {
        var file = PathOf("status.xml");
        File.WriteAllText(file, StatusCib);

        var (code, _, error) = Run(["-f", file, .. command]);

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.EndWith("needs a running cluster; it cannot work on a file (-f)\n"));
        Assert.That(File.ReadAllText(file), Is.EqualTo(StatusCib));
    }

    [TestCase("resource", "describe", "ocf:heartbeat:Dummy")]
    [TestCase("cluster", "start", "--all")]
    [TestCase("cluster", "node", "add", "n3")]
    public void LocalCommand_IsRefused_OnAFile(params string[] command)
    {
        var file = PathOf("status.xml");
        File.WriteAllText(file, StatusCib);

        var (code, _, error) = Run(["-f", file, .. command]);

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.StartWith($"error: '{string.Join(' ', command.Take(2))}").And.EndWith("' cannot work on a CIB file (-f)\n"));
        Assert.That(File.ReadAllText(file), Is.EqualTo(StatusCib));
    }

    [Test]
    public void ClusterConfig_ShowsTheFilesNodes_WithoutRaftOptions()
    {
        var file = PathOf("status.xml");
        File.WriteAllText(file, StatusCib);

        var (code, output, _) = Run("-f", file, "cluster", "config");

        Assert.That((code, output), Is.EqualTo((0, """
            Cluster Name: (not set: hactl property set cluster-name=NAME)
            Nodes:
              n1:
                role: node
              n2:
                role: node
            Quorum Options:
              votes: 2 (quorum: 2)

            """)));
    }

    [Test]
    public void Status_ShowsTheFilesStatusSection_AsCrmMonX()
    {
        var file = PathOf("status.xml");
        File.WriteAllText(file, StatusCib);

        var (code, output, _) = Run("-f", file, "status");

        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain("Current DC: n1").And.Contain("* VirtualIP\t(ocf:heartbeat:IPaddr2):\t Started n1"));
    }

    [Test]
    public void NodeStandby_NeedsANodeName_OnAFile()
    {
        var file = PathOf("status.xml");
        File.WriteAllText(file, StatusCib);

        var (named, _, _) = Run("-f", file, "node", "standby", "n2");
        var (bare, _, error) = Run("-f", file, "node", "standby");

        Assert.That(named, Is.Zero);
        Assert.That(XDocument.Load(file).Descendants("nvpair").Any(p => (string?)p.Attribute("id") == "nodes-n2-standby"), Is.True);
        Assert.That(bare, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.Contain("a CIB file (-f) has no local node"));
    }

    [Test]
    public void Run_RefusesAFileThatIsNotACib_WithoutChangingIt()
    {
        var file = PathOf("notes.xml");
        File.WriteAllText(file, "<notes/>");

        var (code, _, error) = Run("-f", file, "property", "set", "stonith-enabled=false");

        Assert.That(code, Is.EqualTo(ExitCodes.BadInput));
        Assert.That(error, Does.Contain("is not a CIB"));
        Assert.That(File.ReadAllText(file), Is.EqualTo("<notes/>"));
    }
}
