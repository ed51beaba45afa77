namespace ClusterManager.Agents.Tests.Support;

/// <summary>An OCF root in a temp directory holding small agents written by the tests (provider <c>cmtest</c>).</summary>
internal sealed class TestOcfRoot : IDisposable
{
    private readonly TempDirectory _dir = new();

    public TestOcfRoot() => Directory.CreateDirectory(System.IO.Path.Combine(_dir.Path, "resource.d", "cmtest"));

    public string Path => _dir.Path;

    public string Scratch(string name) => _dir.File(name);

    /// <summary>Writes an executable shell agent <c>ocf:cmtest:NAME</c>.</summary>
    public void AddAgent(string name, string body)
    {
        var file = System.IO.Path.Combine(_dir.Path, "resource.d", "cmtest", name);
        System.IO.File.WriteAllText(file, "#!/bin/sh\n" + body + "\n");
        System.IO.File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public void Dispose() => _dir.Dispose();
}
