// MSBuild task (compiled by RoslynCodeTaskFactory, see TorchSharpNative.targets).
//
// TorchSharp's libLibTorchSharp.so lists GLIBCXX_3.4.32 among its libstdc++ version needs for a single symbol
// that is never called. On Debian 12 / Ubuntu 22.04 libstdc++ stops at GLIBCXX_3.4.30, so the dynamic loader
// refuses the whole library and .NET reports a misleading "libtorch not found". Marking the missing version
// needs VER_FLG_WEAK turns the hard failure into nothing at all (the symbol is bound lazily and never used).
//
// The task only touches copies in build/publish output folders, only when the local libstdc++ really lacks a
// version, and rewrites the file through a temporary file and a rename so that a hard-linked NuGet cache entry
// is never modified. Running it again is a no-op.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenMissingElfVersions : Task
{
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    /// <summary>The ELF files to patch (missing files are ignored).</summary>
    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The library whose versions are checked, e.g. libstdc++.so.6.</summary>
    public string Dependency { get; set; } = "libstdc++.so.6";

    /// <summary>Folders searched for <see cref="Dependency"/>.</summary>
    public string SearchPaths { get; set; } = "/usr/lib/x86_64-linux-gnu;/lib/x86_64-linux-gnu;/usr/lib64;/lib64;/usr/lib";

    public override bool Execute()
    {
        var system = SearchPaths.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, Dependency))
            .FirstOrDefault(File.Exists);
        if (system is null)
        {
            Log.LogMessage(MessageImportance.Low, $"{Dependency} not found; nothing to patch.");
            return true;
        }

        var provided = new HashSet<string>(Elf.Read(File.ReadAllBytes(system)).DefinedVersions(), StringComparer.Ordinal);
        foreach (var item in Files)
        {
            var path = item.ItemSpec;
            if (!File.Exists(path)) continue;
            var bytes = File.ReadAllBytes(path);
            var weakened = Elf.Read(bytes).WeakenNeeds(Dependency, name => !provided.Contains(name));
            if (weakened.Count == 0)
            {
                Log.LogMessage(MessageImportance.Low, $"{path}: every {Dependency} version it needs is present.");
                continue;
            }
            var temp = path + ".weak-tmp";
            File.WriteAllBytes(temp, bytes);
            File.Replace(temp, path, null); // a rename: the old inode (maybe the cache's) is left as it was
            Log.LogMessage(MessageImportance.High,
                $"{Path.GetFileName(path)}: marked {string.Join(", ", weakened)} weak ({Dependency} here lacks them).");
        }
        return true;
    }

    /// <summary>A minimal little-endian ELF64 reader: section headers and the GNU symbol-version sections.</summary>
    private sealed class Elf
    {
        private readonly byte[] _b;
        private readonly List<(uint Type, long Offset, long Size, uint Link, uint Info)> _sections = new();

        private Elf(byte[] bytes)
        {
            _b = bytes;
            if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (bytes[4] != 2 || bytes[5] != 1) throw new InvalidDataException("only little-endian ELF64 is supported");
            long shoff = (long)BitConverter.ToUInt64(bytes, 0x28);
            int shentsize = BitConverter.ToUInt16(bytes, 0x3A), shnum = BitConverter.ToUInt16(bytes, 0x3C);
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                _sections.Add((BitConverter.ToUInt32(bytes, (int)h + 4), (long)BitConverter.ToUInt64(bytes, (int)h + 24),
                    (long)BitConverter.ToUInt64(bytes, (int)h + 32), BitConverter.ToUInt32(bytes, (int)h + 40),
                    BitConverter.ToUInt32(bytes, (int)h + 44)));
            }
        }

        public static Elf Read(byte[] bytes) => new(bytes);

        private string Str(uint stringSection, uint offset)
        {
            int start = (int)(_sections[(int)stringSection].Offset + offset), end = start;
            while (_b[end] != 0) end++;
            return Encoding.ASCII.GetString(_b, start, end - start);
        }

        public IEnumerable<string> DefinedVersions()
        {
            foreach (var s in _sections.Where(s => s.Type == ShtGnuVerdef))
            {
                long def = s.Offset;
                for (uint n = 0; n < s.Info; n++)
                {
                    // Verdef: vd_version(2) vd_flags(2) vd_ndx(2) vd_cnt(2) vd_hash(4) vd_aux(4) vd_next(4); Verdaux: vda_name(4) vda_next(4)
                    uint aux = BitConverter.ToUInt32(_b, (int)def + 12), next = BitConverter.ToUInt32(_b, (int)def + 16);
                    yield return Str(s.Link, BitConverter.ToUInt32(_b, (int)(def + aux)));
                    if (next == 0) break;
                    def += next;
                }
            }
        }

        /// <summary>Sets VER_FLG_WEAK on each version needed from <paramref name="file"/> that matches; returns their names.</summary>
        public List<string> WeakenNeeds(string file, Func<string, bool> shouldWeaken)
        {
            var changed = new List<string>();
            foreach (var s in _sections.Where(s => s.Type == ShtGnuVerneed))
            {
                long need = s.Offset;
                for (uint n = 0; n < s.Info; n++)
                {
                    // Verneed: vn_version(2) vn_cnt(2) vn_file(4) vn_aux(4) vn_next(4)
                    int count = BitConverter.ToUInt16(_b, (int)need + 2);
                    string needed = Str(s.Link, BitConverter.ToUInt32(_b, (int)need + 4));
                    long aux = need + BitConverter.ToUInt32(_b, (int)need + 8);
                    for (int a = 0; a < count && needed == file; a++)
                    {
                        // Vernaux: vna_hash(4) vna_flags(2) vna_other(2) vna_name(4) vna_next(4)
                        int flagsAt = (int)aux + 4;
                        ushort flags = BitConverter.ToUInt16(_b, flagsAt);
                        string version = Str(s.Link, BitConverter.ToUInt32(_b, (int)aux + 8));
                        if ((flags & VerFlgWeak) == 0 && shouldWeaken(version))
                        {
                            BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(_b, flagsAt);
                            changed.Add(version);
                        }
                        uint nextAux = BitConverter.ToUInt32(_b, (int)aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = BitConverter.ToUInt32(_b, (int)need + 12);
                    if (next == 0) break;
                    need += next;
                }
            }
            return changed;
        }
    }
}
