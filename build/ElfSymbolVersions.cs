// Shared by the MSBuild task (build/WeakenMissingElfVersions.cs, compiled together with this file by
// RoslynCodeTaskFactory, see TorchSharpNative.targets) and by the library's run-time fallback
// (src/MLNet.Adversarial/Runtime/TorchSharpNativeLoader.cs, which links this file). Keep it free of
// dependencies beyond netstandard2.0 (the task is compiled against it) and of language features newer than C# 9.
//
// TorchSharp's libLibTorchSharp.so lists GLIBCXX_3.4.32 among its libstdc++ version needs for a single symbol
// that is never called. On Debian 12 / Ubuntu 22.04 libstdc++ stops at GLIBCXX_3.4.30, so the dynamic loader
// refuses the whole library and .NET reports a misleading "libtorch not found". Marking the missing version
// needs VER_FLG_WEAK turns the hard failure into nothing at all (the symbol is bound lazily and never used).
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace MLNet.Adversarial.Runtime
{
    /// <summary>Reads and weakens the GNU symbol-version needs of little-endian ELF64 shared libraries.</summary>
    internal static class ElfSymbolVersions
    {
        /// <summary>The C++ runtime whose versions TorchSharp's bridge may need more of than the system has.</summary>
        public const string LibStdCxx = "libstdc++.so.6";

        /// <summary>Where the system's libstdc++ is looked for (Debian/Ubuntu multiarch first, then Fedora/Arch layouts).</summary>
        public static readonly string[] DefaultSearchPaths =
            { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib" };

        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;

        /// <summary>The first <paramref name="fileName"/> in <paramref name="directories"/>, or null.</summary>
        public static string? FindLibrary(string fileName, IEnumerable<string> directories) =>
            directories.Select(dir => Path.Combine(dir, fileName)).FirstOrDefault(File.Exists);

        /// <summary>The version names an ELF library defines (e.g. GLIBCXX_3.4.30 for libstdc++).</summary>
        public static IReadOnlyList<string> DefinedVersions(byte[] elf) => new Elf(elf).DefinedVersions().ToList();

        /// <summary>The versions <paramref name="elf"/> needs from <paramref name="dependency"/> that are not already weak.</summary>
        public static IReadOnlyList<string> StrongNeeds(byte[] elf, string dependency)
        {
            var copy = (byte[])elf.Clone();
            return new Elf(copy).WeakenNeeds(dependency, _ => true);
        }

        /// <summary>
        /// Marks weak, in <paramref name="elf"/> (modified in place), each version it needs from
        /// <paramref name="dependency"/> that <paramref name="provided"/> lacks; returns the names marked.
        /// Running it again returns an empty list.
        /// </summary>
        public static IReadOnlyList<string> WeakenMissing(byte[] elf, string dependency, ICollection<string> provided) =>
            new Elf(elf).WeakenNeeds(dependency, name => !provided.Contains(name));

        /// <summary>
        /// Weakens, in the file at <paramref name="path"/>, the version needs that the library at
        /// <paramref name="dependencyPath"/> does not define. The file is rewritten through a temporary file and a
        /// rename, so a hard-linked original (a NuGet cache entry) is never modified. Returns the names marked.
        /// </summary>
        public static IReadOnlyList<string> WeakenMissingInFile(string path, string dependencyPath, string dependency = LibStdCxx)
        {
            var provided = new HashSet<string>(DefinedVersions(File.ReadAllBytes(dependencyPath)), StringComparer.Ordinal);
            var bytes = File.ReadAllBytes(path);
            var weakened = WeakenMissing(bytes, dependency, provided);
            if (weakened.Count == 0) return weakened;
            var temp = path + ".weak-tmp-" + Guid.NewGuid().ToString("N");
            File.WriteAllBytes(temp, bytes);
            File.Replace(temp, path, null); // a rename: the old inode (maybe the cache's) is left as it was
            return weakened;
        }

        /// <summary>A minimal little-endian ELF64 reader: section headers and the GNU symbol-version sections.</summary>
        private sealed class Elf
        {
            private readonly byte[] _b;
            private readonly List<(uint Type, long Offset, long Size, uint Link, uint Info)> _sections = new();

            public Elf(byte[] bytes)
            {
                _b = bytes;
                if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
                    throw new InvalidDataException("not an ELF file");
                if (bytes[4] != 2 || bytes[5] != 1) throw new InvalidDataException("only little-endian ELF64 is supported");
                long shoff = (long)BitConverter.ToUInt64(bytes, 0x28);
                int shentsize = BitConverter.ToUInt16(bytes, 0x3A), shnum = BitConverter.ToUInt16(bytes, 0x3C);
                if (shoff <= 0 || shoff + (long)shnum * shentsize > bytes.Length) throw new InvalidDataException("truncated ELF section table");
                for (int i = 0; i < shnum; i++)
                {
                    long h = shoff + (long)i * shentsize;
                    _sections.Add((BitConverter.ToUInt32(bytes, (int)h + 4), (long)BitConverter.ToUInt64(bytes, (int)h + 24),
                        (long)BitConverter.ToUInt64(bytes, (int)h + 32), BitConverter.ToUInt32(bytes, (int)h + 40),
                        BitConverter.ToUInt32(bytes, (int)h + 44)));
                }
            }

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
}
