# Homebrew formula for the cluvio-agent single executable: a template, as the reference's tap
# (cluvio/homebrew-tools, Formula/cluvio-agent.rb). For a release, replace @VERSION@, @BASE_URL@
# (where the archives are published, e.g. https://github.com/<owner>/<repo>/releases/download/v@VERSION@)
# and each @SHA256_…@ with the sum from the SHA256SUMS that `npm run package:cli` writes on that
# platform, then commit it to a tap as Formula/cluvio-agent.rb.
class CluvioAgent < Formula
  desc "Connects Cluvio to databases on a private network over one outbound TLS connection"
  homepage "https://www.cluvio.com"
  version "@VERSION@"
  license "MIT"

  on_macos do
    on_arm do
      url "@BASE_URL@/cluvio-agent-@VERSION@-aarch64-macos.tar.gz"
      sha256 "@SHA256_AARCH64_MACOS@"
    end
    on_intel do
      url "@BASE_URL@/cluvio-agent-@VERSION@-x86_64-macos.tar.gz"
      sha256 "@SHA256_X86_64_MACOS@"
    end
  end

  on_linux do
    on_arm do
      url "@BASE_URL@/cluvio-agent-@VERSION@-aarch64-linux.tar.gz"
      sha256 "@SHA256_AARCH64_LINUX@"
    end
    on_intel do
      url "@BASE_URL@/cluvio-agent-@VERSION@-x86_64-linux.tar.gz"
      sha256 "@SHA256_X86_64_LINUX@"
    end
  end

  def install
    bin.install "cluvio-agent"
    doc.install "THIRD-PARTY-NOTICES.txt"
  end

  # `brew services start cluvio-agent`: the agent finds the configuration by its search order
  # ($HOME/cluvio-agent.toml on macOS, ~/.config/cluvio-agent.toml on Linux).
  service do
    run opt_bin/"cluvio-agent"
    working_dir HOMEBREW_PREFIX
    keep_alive crashed: true
    log_path var/"log/cluvio-agent/output.log"
    error_log_path var/"log/cluvio-agent/error.log"
  end

  def caveats
    config = OS.mac? ? "~/cluvio-agent.toml" : "~/.config/cluvio-agent.toml"
    <<~EOS
      Add the agent in Cluvio (Settings → Datasources → Agents), download its configuration
      and save it as #{config} (chmod 600: it holds the agent's secret key). Then run
        cluvio-agent                      # in a terminal, Ctrl-C stops it
        brew services start cluvio-agent  # in the background, at every login
    EOS
  end

  test do
    assert_equal version.to_s, shell_output("#{bin}/cluvio-agent --version").strip
    assert_match(/^public-key: [A-Za-z0-9_-]{43}$/, shell_output("#{bin}/cluvio-agent --gen-keypair"))
  end
end
