using ClusterManager.Vrrp.Tests.Interop;

namespace ClusterManager.Vrrp.Tests.Host;

/// <summary>cm-vrrpd's command line: configuration errors are reported naming the field, with exit code 2.</summary>
public class VrrpDaemonCliTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("cmt-vrrp-cli-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    [TestCase("""{ "instances": [ { "vrid": 0, "virtualAddresses": ["198.18.0.100"] } ] }""", 2, "instance 'VI_1': vrid: must be 1–255, got 0")]
    [TestCase("""{ "instances": [ { "vrid": 7, "virtualAddresses": ["198.18.0.100"] } ] }""", 0, "OK (1 instances)")]
    [TestCase("""{ "instances": [ { "vrid": 7, "virtualAddresses": ["2001:db8::7"] } ] }""", 2, "IPv6 is not supported by cm-vrrpd yet")]
    public void Check_ReportsConfigurationProblems_WithExitCode(string json, int exitCode, string expected)
    {
        var path = Path.Combine(_directory, "vrrp.json");
        File.WriteAllText(path, json);

        var (code, output) = NetnsLab.Run("dotnet", $"{Path.Combine(TestContext.CurrentContext.TestDirectory, "cm-vrrpd.dll")} --config {path} --check");

        Assert.That(code, Is.EqualTo(exitCode));
        Assert.That(output, Does.Contain(expected));
    }

    [Test]
    public void Run_ExitsWithRuntimeError_WhenInterfaceMissing()
    {
        var path = Path.Combine(_directory, "vrrp.json");
        File.WriteAllText(path, """{ "instances": [ { "vrid": 7, "interface": "cmt-nosuch0", "virtualAddresses": ["198.18.0.100"] } ] }""");

        var (code, output) = NetnsLab.Run("dotnet", $"{Path.Combine(TestContext.CurrentContext.TestDirectory, "cm-vrrpd.dll")} --config {path}");

        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.Contain("interface 'cmt-nosuch0' does not exist"));
    }
}
