using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClusterManager.Daemon.Host;

/// <summary>
/// The agent's self-signed TLS certificate (pcsd's pcsd.crt/pcsd.key): made at first start in the state directory
/// (host.pem, host.key with mode 0600) and kept, so that hactl can pin its fingerprint on first contact.
/// </summary>
internal static class HostCertificate
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(3650);

    /// <summary>Loads the certificate from <paramref name="stateDirectory"/>, creating it first when it is missing.</summary>
    /// <returns>The certificate with its key, and whether it was created now.</returns>
    public static (X509Certificate2 Certificate, bool Created) LoadOrCreate(string stateDirectory, TimeProvider time)
    {
        var certificateFile = Path.Combine(stateDirectory, "host.pem");
        var keyFile = Path.Combine(stateDirectory, "host.key");
        var created = false;
        if (!File.Exists(certificateFile) || !File.Exists(keyFile))
        {
            var hostName = Dns.GetHostName();
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={hostName}, O=clusterd host agent", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(hostName);
            request.CertificateExtensions.Add(san.Build());
            var now = time.GetUtcNow();
            using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now + Lifetime);
            SecureFile.Write(keyFile, key.ExportPkcs8PrivateKeyPem(), secret: true);
            SecureFile.Write(certificateFile, certificate.ExportCertificatePem(), secret: false);
            created = true;
        }

        return (X509Certificate2.CreateFromPemFile(certificateFile, keyFile), created);
    }

    /// <summary>The SHA-256 fingerprint of a certificate, as hactl prints and pins it (uppercase hex pairs joined by ':').</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        string.Join(':', certificate.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
}
