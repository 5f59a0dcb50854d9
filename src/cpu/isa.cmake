# Per-instruction-set translation units: a source named *_avx2.cpp, *_avx512.cpp or *_neon.cpp is compiled
# with that level's flags when the compiler accepts them and dropped from the build otherwise. Release builds
# never use -march=native; the kernels are picked at run time (src/cpu/cpu_features.h).
include(CheckCXXCompilerFlag)

set(HEARTH_ISA_FLAGS_avx2 -mavx2 -mfma -mf16c)
set(HEARTH_ISA_FLAGS_avx512 -mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx512vnni -mavx512bf16 -mavx2 -mfma -mf16c)
set(HEARTH_ISA_FLAGS_neon "")

# Levels left out on purpose: a build that only runs tests can skip the ones its machine cannot execute.
set(HEARTH_SKIP_ISAS "" CACHE STRING "Instruction-set levels not to compile (a list of avx2, avx512)")

set(HEARTH_ISAS)
foreach(isa avx2 avx512)
  if(isa IN_LIST HEARTH_SKIP_ISAS)
    continue()
  endif()
  list(JOIN HEARTH_ISA_FLAGS_${isa} " " flags)
  check_cxx_compiler_flag("${flags}" HEARTH_COMPILER_HAS_${isa})
  if(HEARTH_COMPILER_HAS_${isa})
    list(APPEND HEARTH_ISAS ${isa})
  endif()
endforeach()
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  list(APPEND HEARTH_ISAS neon)  # NEON is part of the AArch64 baseline: no flags needed
endif()

# Removes from ${sources_var} the per-ISA files this compiler cannot build and gives the others their flags.
# Sets ${sources_var}_ISAS to the levels kept, for HEARTH_CPU_HAS_<ISA> definitions.
function(hearth_apply_isa_flags sources_var)
  set(kept)
  set(isas_present)
  foreach(source ${${sources_var}})
    set(source_isa)
    foreach(isa avx2 avx512 neon)
      if(source MATCHES "_${isa}\\.cpp$")
        set(source_isa ${isa})
      endif()
    endforeach()
    if(NOT source_isa)
      list(APPEND kept ${source})
    elseif(source_isa IN_LIST HEARTH_ISAS)
      list(APPEND kept ${source})
      list(APPEND isas_present ${source_isa})
      set_source_files_properties(${source} PROPERTIES COMPILE_OPTIONS "${HEARTH_ISA_FLAGS_${source_isa}}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES isas_present)
  set(${sources_var} ${kept} PARENT_SCOPE)
  set(${sources_var}_ISAS ${isas_present} PARENT_SCOPE)
endfunction()
