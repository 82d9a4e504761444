using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CnnGen.Tests.Infrastructure
{
    /// <summary>Cases computed by PyTorch (tools/make_fixtures.py), committed as Fixtures/torch_cases.json.</summary>
    public sealed class TorchCase
    {
        public string Name { get; set; } = string.Empty;

        public int[] Input { get; set; } = Array.Empty<int>();

        public List<Dictionary<string, JsonElement>> Layers { get; set; } = new();

        public float[] X { get; set; } = Array.Empty<float>();

        public float[] Parameters { get; set; } = Array.Empty<float>();

        /// <summary>Each layer's output, ReLUs included, in order.</summary>
        public List<float[]> Steps { get; set; } = new();

        public float[] Y { get; set; } = Array.Empty<float>();

        /// <summary>Input's network-wide rounding, when the case sets one.</summary>
        public string? Rounding { get; set; }

        public NetSpec ToSpec()
        {
            var layers = new List<LayerSpec>();
            foreach (Dictionary<string, JsonElement> layer in Layers)
            {
                int Get(string key, int fallback) => layer.TryGetValue(key, out JsonElement v) ? v.GetInt32() : fallback;
                bool Flag(string key, bool fallback) => layer.TryGetValue(key, out JsonElement v) ? v.GetBoolean() : fallback;
                OutputRounding rounding = layer.TryGetValue("rounding", out JsonElement r) ? Enum.Parse<OutputRounding>(r.GetString()!) : OutputRounding.Exact;
                string kind = layer["kind"].GetString()!;
                if (layer.TryGetValue("window", out JsonElement window))
                {
                    // v2: the geometry PyTorch ran (paddings resolved by the script) and the attribute properties declaring it.
                    int[] g = window.EnumerateArray().Select(e => e.GetInt32()).ToArray();
                    string properties = layer["props"].GetString()!;
                    layers.Add(new LayerSpec(kind switch { "conv" => Kind.Conv, "pool" => Kind.Pool, _ => Kind.AvgPool }, Get("filters", 0), properties.Contains("SizeX", StringComparison.Ordinal) ? 0 : g[0], Rounding: rounding)
                    {
                        Geometry = new CnnGen.Reference.Window2d(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9]),
                        Properties = properties,
                        Mode = layer.TryGetValue("same", out JsonElement same) ? Enum.Parse<PaddingMode>(same.GetString()!) : PaddingMode.Explicit,
                        Groups = Get("groups", 1),
                        Bias = Flag("bias", true),
                        CountIncludePadding = Flag("count_include_pad", true),
                    });
                    continue;
                }

                layers.Add(kind switch
                {
                    "conv" => LayerSpec.Conv(Get("filters", 0), Get("size", 0), Get("stride", 1), Get("padding", 0), rounding),
                    "pool" => LayerSpec.Pool(Get("size", 0), Get("stride", 0), Get("padding", 0), rounding),
                    "fc" => LayerSpec.Fc(Get("outputs", 0)) with { Bias = Flag("bias", true), Properties = Flag("bias", true) ? string.Empty : "Bias = false" },
                    _ => LayerSpec.Relu(),
                });
            }

            return new NetSpec(Input[0], Input[1], Input[2], layers) { Rounding = Rounding is null ? OutputRounding.Exact : Enum.Parse<OutputRounding>(Rounding) };
        }

        public override string ToString() => Name;

        public static IReadOnlyList<TorchCase> Load()
        {
            string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch_cases.json");
            var options = new JsonSerializerOptions
            {
                PropertyNameCaseInsensitive = true,
                NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            };
            using FileStream stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<FixtureFile>(stream, options)!.Cases;
        }

        private sealed class FixtureFile
        {
            public List<TorchCase> Cases { get; set; } = new();
        }
    }
}
