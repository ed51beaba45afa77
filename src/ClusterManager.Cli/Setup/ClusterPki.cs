using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ClusterManager.Cli.Setup;

/// <summary>
/// The cluster's own certificate authority (the role of corosync's authkey and pcsd's certificates): an ECDSA P-256
/// CA and node certificates issued by it, usable for TLS server and client, with the node's IP addresses as
/// subject alternative names. Made with <see cref="CertificateRequest"/> (no openssl).
/// </summary>
internal sealed class ClusterPki : IDisposable
{
    private readonly ECDsa _caKey;

    private ClusterPki(ECDsa caKey, X509Certificate2 ca)
    {
        _caKey = caKey;
        Ca = ca;
    }

    /// <summary>The CA certificate (without its key).</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>A new CA named <c>CN=NAME cluster CA</c>, valid from <paramref name="now"/> for <paramref name="lifetime"/>.</summary>
    public static ClusterPki Create(string clusterName, DateTimeOffset now, TimeSpan lifetime)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={clusterName} cluster CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var ca = request.CreateSelfSigned(now.AddMinutes(-5), now + lifetime);
        return new ClusterPki(key, ca);
    }

    /// <summary>The CA kept by <c>hactl cluster setup</c> (certificate and private key, PEM), to issue certificates for new nodes.</summary>
    /// <exception cref="CryptographicException">The PEM is not a certificate or an ECDSA key.</exception>
    public static ClusterPki Load(string caCertificatePem, string caKeyPem)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(caKeyPem);
            return new ClusterPki(key, X509Certificate2.CreateFromPem(caCertificatePem));
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A certificate for node <paramref name="name"/> with its private key: TLS server and client, the given IP
    /// addresses as subject alternative names, valid from <paramref name="now"/> for <paramref name="lifetime"/>.
    /// </summary>
    public X509Certificate2 Issue(string name, IEnumerable<IPAddress> addresses, DateTimeOffset now, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        foreach (var address in addresses.Distinct())
        {
            san.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
        var notAfter = now + lifetime < Ca.NotAfter ? now + lifetime : new DateTimeOffset(Ca.NotAfter.ToUniversalTime());
        using var issued = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey), now.AddMinutes(-5), notAfter,
            RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>The CA's private key as PKCS#8 PEM (needed to issue certificates for nodes added later).</summary>
    public string ExportCaKeyPem() => _caKey.ExportPkcs8PrivateKeyPem();

    public void Dispose()
    {
        _caKey.Dispose();
        Ca.Dispose();
    }
}
